"""The platform's signing certificate for PIF documents: configured in production
(PDF_SIGNING_KEY_FILE, PDF_SIGNING_CERT_FILE); in development a self-signed one is made
once under DATA_DIR and kept, with a warning that it proves nothing to an outsider."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import structlog
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from pifai.core.config import ConfigError, Settings

log = structlog.get_logger(__name__)
DEV_VALIDITY_DAYS = 3650


def _write(path: Path, data: bytes) -> None:
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_bytes(data)
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)


def _generate(key_file: Path, cert_file: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "PIF AI development signing certificate"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "PIF AI (development)"),
        ]
    )
    start = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=DEV_VALIDITY_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    _write(
        key_file,
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )
    _write(cert_file, cert.public_bytes(serialization.Encoding.PEM))


def signing_files(settings: Settings) -> tuple[Path, Path]:
    """(key file, certificate file) to sign with."""
    if settings.pdf_signing_key_file and settings.pdf_signing_cert_file:
        return settings.pdf_signing_key_file, settings.pdf_signing_cert_file
    if settings.is_production:
        raise ConfigError(
            "APP_ENV=production but PDF_SIGNING_KEY_FILE and PDF_SIGNING_CERT_FILE are not "
            "set: signed PIF documents need the platform's signing certificate."
        )
    folder = settings.data_dir / "pdf-signing"
    key_file, cert_file = folder / "key.pem", folder / "cert.pem"
    if not (key_file.is_file() and cert_file.is_file()):
        folder.mkdir(parents=True, exist_ok=True)
        _generate(key_file, cert_file)
        log.warning(
            "generated a self-signed PDF signing certificate for development; set "
            "PDF_SIGNING_KEY_FILE and PDF_SIGNING_CERT_FILE in production",
            cert=str(cert_file),
        )
    return key_file, cert_file
