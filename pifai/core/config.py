"""The one settings object. Read once via :func:`get_settings`."""

from __future__ import annotations

import base64
import fcntl
import ipaddress
import json
import os
import secrets
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import structlog
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

log = structlog.get_logger(__name__)

SECRET_FIELDS = ("secret_key", "file_encryption_key", "field_encryption_key")


class AppEnv(StrEnum):
    development = "development"
    test = "test"
    production = "production"


@dataclass(frozen=True)
class DbRoles:
    app: str
    app_password: str | None
    platform: str
    platform_password: str | None


class ConfigError(RuntimeError):
    """Settings that cannot be used; the message says which and how to fix it."""


def _new_secret(name: str) -> str:
    if name == "field_encryption_key":
        # Fernet wants 32 url-safe base64 bytes.
        return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    if name == "file_encryption_key":
        # AES-256-GCM key, base64.
        return base64.b64encode(secrets.token_bytes(32)).decode()
    return secrets.token_urlsafe(48)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    app_env: AppEnv = AppEnv.development
    data_dir: Path = Path("./.pifai")

    # Unset means "start the embedded server under data_dir".
    database_url: str | None = None
    # Optional explicit URL for the non-superuser application role; derived from
    # database_url (same server, role `app_db_role`) when unset.
    app_database_url: str | None = None
    app_db_role: str = "pifai_app"
    app_db_password: SecretStr | None = None
    # BYPASSRLS role of the audited super-admin path only.
    platform_db_role: str = "pifai_platform"
    platform_db_password: SecretStr | None = None
    # An API process's pool (as many again open under bursts). A `pifai worker` sizes its
    # own from WORKER_CONCURRENCY instead (pifai.services.queue.pool).
    db_pool_size: int = 10
    # API processes `pifai serve` starts (the name uvicorn and gunicorn read too).
    web_concurrency: int = Field(default=1, ge=1, le=64)
    redis_url: str | None = None

    secret_key: SecretStr | None = None
    file_encryption_key: SecretStr | None = None
    field_encryption_key: SecretStr | None = None

    log_level: str = "INFO"
    log_json: bool | None = None  # default: JSON in production only
    # Development tracebacks with each frame's local variables (long: off unless asked).
    log_traceback_locals: bool = False
    # When set, GET /metrics needs `Authorization: Bearer <METRICS_TOKEN>` (a scraper's
    # credential); unset, it is open, for a deployment that keeps it off the public path.
    metrics_token: SecretStr | None = None
    # FastAPI's native OpenTelemetry (spans, metrics, logs to the OTel providers or the
    # OTEL_* exporters). Off by default: Prometheus and the JSON access log cover it, and
    # checking it costs every request.
    otel_enabled: bool = False

    # The built web console that `pifai serve` serves at `/`; unset: web/dist of the
    # source tree (`make web` builds it).
    console_dir: Path | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    # Proxies (addresses or CIDR networks, comma-separated) whose X-Forwarded-For and
    # X-Forwarded-Proto are believed. Empty: nobody's, so a client cannot pick the address
    # that the login lock, the rate limits and the audit log record.
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)

    access_token_minutes: int = 15
    refresh_token_days: int = 7
    password_min_length: int = 10
    # zxcvbn's guessability score (0-4) a new password must reach: 3 is "safely
    # unguessable" against an online attack with throttling.
    password_min_score: int = Field(default=3, ge=0, le=4)
    # Brute force: this many failures per account or IP within the window -> 429.
    login_max_failures: int = 5
    login_failure_window_seconds: int = 900
    # Abuse limits (pifai.services.rate_limits), each a fixed window from its first event;
    # over the limit -> 429 with Retry-After. Per address counts whether or not the address
    # has an account, so a refusal says nothing about that.
    registration_max_per_ip: int = Field(default=10, ge=1)
    registration_max_per_address: int = Field(default=3, ge=1)
    registration_window_seconds: int = Field(default=3600, ge=1)
    forgot_password_max_per_ip: int = Field(default=10, ge=1)
    forgot_password_max_per_address: int = Field(default=3, ge=1)
    forgot_password_window_seconds: int = Field(default=3600, ge=1)
    # POST, PUT, PATCH and DELETE requests of each signed-in user.
    write_max_per_user: int = Field(default=120, ge=1)
    write_window_seconds: int = Field(default=60, ge=1)
    # Browser sessions (pifai.api.browser_session): the refresh and CSRF cookies carry the
    # Secure attribute unless this says otherwise. Unset: Secure everywhere but in
    # development, whose console is served over plain http://127.0.0.1.
    session_cookie_secure: bool | None = None
    email_token_hours: int = 24
    public_base_url: str = "http://127.0.0.1:8000"

    # Task queue (pifai.services.queue, pifai.worker).
    # Tasks in flight per worker process; handlers mostly wait on I/O (database, LLM).
    # Its database pool has a connection per task and a few for the worker's own work;
    # an in-process worker on the API's pool runs only as many tasks as that serves.
    worker_concurrency: int = Field(default=32, ge=1)
    # A delivered entry idle this long (its worker stopped renewing) is reclaimed.
    queue_visibility_timeout_seconds: float = Field(default=60.0, gt=0)
    # Retry n waits base * 2**(n-1) seconds, capped; tests shrink the base.
    queue_backoff_base_seconds: float = Field(default=1.0, gt=0)
    queue_backoff_cap_seconds: float = Field(default=300.0, gt=0)
    queue_max_attempts: int = Field(default=3, ge=1)
    # XREADGROUP BLOCK: also the longest a stopping worker waits for its read to return.
    queue_block_ms: int = Field(default=1000, ge=1)
    worker_drain_timeout_seconds: float = Field(default=30.0, ge=0)
    # The sweeper republishes pending rows never XADDed once they are this old.
    queue_sweeper_interval_seconds: float = Field(default=15.0, gt=0)
    queue_sweeper_grace_seconds: float = Field(default=10.0, ge=0)
    # ... and pending rows this overdue whose stream entry may be lost (Redis data loss).
    queue_sweeper_stale_seconds: float = Field(default=900.0, gt=0)
    queue_metrics_interval_seconds: float = Field(default=5.0, gt=0)
    # `pifai worker` serves /metrics on this port when set (the API serves its own).
    worker_metrics_port: int | None = None

    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = True
    smtp_from: str = "PIF AI <no-reply@pifai.local>"

    # The expiry digest (pifai.services.pif.digest): each worker looks this often (one of
    # them per interval) whether an organisation's digest of the day is due; each
    # organisation gets at most one a day. 0 or unset: no digest.
    expiry_digest_interval_seconds: float | None = Field(default=3600.0, ge=0)
    # "Today" for expiry dates and the digest's day: where the organisations work.
    expiry_timezone: str = "Asia/Taipei"

    rag_api_base: str | None = None
    rag_api_key: SecretStr | None = None
    rag_tenant_id: str | None = None
    rag_timeout_seconds: float = 10.0
    rag_kb_name_prefix: str = "pifai"
    # Workers create missing knowledge bases this often (one worker per interval).
    rag_backfill_interval_seconds: float = Field(default=600.0, gt=0)

    anthropic_api_key: SecretStr | None = None
    llm_model: str = "claude-sonnet-4-6"
    llm_timeout_seconds: float = 60.0

    # Toxicology sources (pifai.ai.toxicology). Tests point the base URLs at a mock.
    pubchem_base_url: str = "https://pubchem.ncbi.nlm.nih.gov"
    pubchem_timeout_seconds: float = Field(default=5.0, gt=0)
    # PubChem's usage policy: no more than 5 requests per second, held across every
    # worker and process through Redis.
    pubchem_max_per_second: int = Field(default=5, ge=1)
    # ECHA CHEM (chem.echa.europa.eu): no key is needed today; sent when set.
    echa_base_url: str = "https://chem.echa.europa.eu"
    echa_api_key: SecretStr | None = None
    echa_timeout_seconds: float = Field(default=10.0, gt=0)
    # ECHA CHEM asks one substance at a time (two or three requests each): this many
    # substances are in flight at once per batch.
    echa_max_concurrency: int = Field(default=16, ge=1)

    # File storage (pifai.services.storage): "local" writes under data_dir/files.
    storage_backend: Literal["local", "s3"] = "local"
    s3_endpoint_url: str | None = None  # unset: AWS; set for MinIO, R2, Ceph, ...
    s3_bucket: str | None = None
    s3_access_key_id: str | None = None
    s3_secret_access_key: SecretStr | None = None
    s3_region: str | None = None
    s3_key_prefix: str = ""
    # Older FILE_ENCRYPTION_KEYs, comma-separated base64: still decrypt, never encrypt.
    file_encryption_retired_keys: SecretStr | None = None
    # The platform's certificate for the PAdES signature of signed PIF documents (PEM key
    # and certificate). Unset outside production: one is generated under data_dir.
    pdf_signing_key_file: Path | None = None
    pdf_signing_cert_file: Path | None = None
    # Uploads (pifai.services.pif.uploads): larger bodies are refused with 413 while streaming.
    max_upload_bytes: int = Field(default=50 * 1024 * 1024, ge=1)
    # Any other request body (JSON): larger ones get 413 as soon as that is known.
    max_json_body_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _check_proxies(cls, value: list[str]) -> list[str]:
        for entry in value:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError as exc:
                raise ValueError(
                    f"TRUSTED_PROXIES: {entry!r} is not an address or network"
                ) from exc
        return value

    @field_validator("expiry_timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"EXPIRY_TIMEZONE: {value!r} is not an IANA time zone") from exc
        return value

    @model_validator(mode="after")
    def _fill_secrets(self) -> Settings:
        missing = [name for name in SECRET_FIELDS if getattr(self, name) is None]
        if not missing:
            return self
        if self.app_env is AppEnv.production:
            names = ", ".join(n.upper() for n in missing)
            raise ConfigError(
                f"APP_ENV=production but {names} not set. Set them in the environment "
                "(generate with: python -c 'import secrets; print(secrets.token_urlsafe(48))'; "
                "FIELD_ENCRYPTION_KEY must be a Fernet key)."
            )
        stored = _load_or_create_secrets(self.data_dir, missing)
        for name in missing:
            setattr(self, name, SecretStr(stored[name]))
        return self

    def db_roles(self) -> DbRoles:
        """Role names and passwords that `pifai.core.migrations.migrate` provisions."""

        def reveal(secret: SecretStr | None) -> str | None:
            return secret.get_secret_value() if secret else None

        return DbRoles(
            app=self.app_db_role,
            app_password=reveal(self.app_db_password),
            platform=self.platform_db_role,
            platform_password=reveal(self.platform_db_password),
        )

    @property
    def console_path(self) -> Path:
        return self.console_dir or Path(__file__).resolve().parents[2] / "web" / "dist"

    @property
    def cookie_secure(self) -> bool:
        if self.session_cookie_secure is not None:
            return self.session_cookie_secure
        return self.app_env is not AppEnv.development

    @property
    def is_production(self) -> bool:
        return self.app_env is AppEnv.production

    @property
    def json_logs(self) -> bool:
        return self.is_production if self.log_json is None else self.log_json


def _read_secrets(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text())) if path.exists() else {}


def _load_or_create_secrets(data_dir: Path, names: list[str]) -> dict[str, str]:
    """Development secrets persist under data_dir so tokens and files survive restarts."""
    path = data_dir / "secrets.json"
    stored = _read_secrets(path)
    if any(n not in stored for n in names):
        data_dir.mkdir(parents=True, exist_ok=True)
        # Processes starting together must agree on one set: the first writes, the rest
        # read what it wrote.
        with (data_dir / "secrets.lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            stored = _read_secrets(path)
            created = [n for n in names if n not in stored]
            for name in created:
                stored[name] = _new_secret(name)
            if created:
                tmp = path.with_suffix(".tmp")
                tmp.write_text(json.dumps(stored, indent=2))
                os.chmod(tmp, 0o600)
                tmp.replace(path)
                log.warning(
                    "generated development secrets",
                    secrets=[n.upper() for n in created],
                    path=str(path),
                    hint="set them in the environment for production",
                )
    return {n: str(stored[n]) for n in names}


@lru_cache
def get_settings() -> Settings:
    return Settings()
