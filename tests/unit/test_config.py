"""Settings: generated development secrets persist; production refuses to start without."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from pifai.core.config import ConfigError, Settings


def test_development_generates_and_persists_missing_secrets(tmp_path: Path) -> None:
    first = Settings(app_env="development", data_dir=tmp_path)
    assert first.secret_key is not None
    assert (tmp_path / "secrets.json").exists()
    assert oct((tmp_path / "secrets.json").stat().st_mode & 0o777) == "0o600"

    second = Settings(app_env="development", data_dir=tmp_path)
    assert second.secret_key == first.secret_key
    assert second.field_encryption_key == first.field_encryption_key


def _secret_key_in(data_dir: Path, start: Any) -> str:
    start.wait()
    key = Settings(app_env="development", data_dir=data_dir).secret_key
    assert key is not None
    return key.get_secret_value()


def test_processes_starting_together_agree_on_one_set_of_secrets(tmp_path: Path) -> None:
    """API processes that generated different keys would refuse each other's tokens."""
    spawn = multiprocessing.get_context("spawn")
    with spawn.Manager() as manager, ProcessPoolExecutor(6, mp_context=spawn) as pool:
        start = manager.Barrier(6)
        keys = set(pool.map(_secret_key_in, [tmp_path] * 6, [start] * 6))
    assert len(keys) == 1


def test_production_refuses_missing_secrets(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY") as caught:
        Settings(app_env="production", data_dir=tmp_path, secret_key=None)
    assert "production" in str(caught.value)
    assert not (tmp_path / "secrets.json").exists()


def test_explicit_secrets_are_kept(tmp_path: Path) -> None:
    settings = Settings(
        app_env="production",
        data_dir=tmp_path,
        secret_key="s" * 40,
        file_encryption_key="f" * 44,
        field_encryption_key="k" * 44,
    )
    assert settings.secret_key is not None
    assert settings.secret_key.get_secret_value() == "s" * 40
