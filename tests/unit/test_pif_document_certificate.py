"""The platform's PDF signing certificate: configured in production, made once elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from pifai.core.config import AppEnv, ConfigError, Settings
from pifai.services.pif_document.certificate import signing_files


def test_development_makes_one_certificate_and_keeps_it(tmp_path: Path) -> None:
    settings = Settings(app_env="development", data_dir=tmp_path)
    key, cert = signing_files(settings)
    assert key.parent == tmp_path / "pdf-signing" and cert.read_bytes().startswith(b"-----BEGIN")
    first = cert.read_bytes()
    assert signing_files(settings) == (key, cert) and cert.read_bytes() == first
    assert key.stat().st_mode & 0o077 == 0


def test_production_needs_the_configured_files(tmp_path: Path) -> None:
    settings = Settings(app_env="development", data_dir=tmp_path).model_copy(
        update={"app_env": AppEnv.production}
    )
    with pytest.raises(ConfigError, match="PDF_SIGNING_KEY_FILE"):
        signing_files(settings)
    configured = settings.model_copy(
        update={
            "pdf_signing_key_file": tmp_path / "k.pem",
            "pdf_signing_cert_file": tmp_path / "c.pem",
        }
    )
    assert signing_files(configured) == (tmp_path / "k.pem", tmp_path / "c.pem")
