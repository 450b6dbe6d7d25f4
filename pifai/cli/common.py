"""What every command needs: settings with logging, and the admin database URL."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from pifai.core.config import Settings, get_settings
from pifai.core.embedded import start_embedded
from pifai.core.logging import configure_logging


def settings_for_command() -> Settings:
    settings = get_settings()
    configure_logging(json=settings.json_logs, level=settings.log_level)
    return settings


@contextlib.contextmanager
def admin_database_url(settings: Settings) -> Iterator[str]:
    """DATABASE_URL, or the embedded server's for the duration of the command."""
    if settings.database_url:
        yield settings.database_url
        return
    services = start_embedded(settings.data_dir, need_postgres=True, need_redis=False)
    try:
        assert services.database_url
        yield services.database_url
    finally:
        services.stop()
