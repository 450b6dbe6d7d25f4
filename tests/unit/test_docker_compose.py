"""docker-compose.yml as the README and docs/deploy.md describe it: two API containers,
two workers, PostgreSQL 16 with pgvector, Redis 7, MinIO behind the s3 profile; real
commands, environment names that are settings, secrets required from the environment,
and settings the app accepts in production. Docker is not needed: the file is parsed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from pifai.api import health
from pifai.cli import app as cli
from pifai.core.config import SECRET_FIELDS, Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
APP_SERVICES = ("web", "worker")
SETTINGS_NAMES = {name.upper() for name in Settings.model_fields}
# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error}; $$ is a $.
_VARIABLE = re.compile(r"\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


def interpolate(value: str, given: dict[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        name, op, arg = match["name"], match["op"], match["arg"]
        if name in given and (given[name] or not (op or "").startswith(":")):
            return given[name]
        if op and op.endswith("?"):
            raise KeyError(f"{name} is required: {arg}")
        return arg or ""

    return _VARIABLE.sub(one, value).replace("$$", "$")


def _required_variables() -> set[str]:
    text = (ROOT / "docker-compose.yml").read_text()
    return {m["name"] for m in _VARIABLE.finditer(text) if m["op"] in {":?", "?"}}


def test_the_services_are_the_documented_stack() -> None:
    assert set(SERVICES) == {"web", "worker", "postgres", "redis", "minio", "minio-bucket"}
    assert SERVICES["web"]["deploy"]["replicas"] == 2
    assert SERVICES["worker"]["deploy"]["replicas"] == 2
    assert SERVICES["postgres"]["image"] == "pgvector/pgvector:pg16"
    assert re.fullmatch(r"redis:7(\.\d+)*(-\w+)?", SERVICES["redis"]["image"])
    # MinIO is optional: only `--profile s3` starts it.
    assert {n for n, s in SERVICES.items() if s.get("profiles")} == {"minio", "minio-bucket"}
    for name, service in SERVICES.items():
        for dependency, condition in service.get("depends_on", {}).items():
            assert dependency in SERVICES, (name, dependency)
            # A dependency that may not be started along must not be required.
            along = set(SERVICES[dependency].get("profiles", [])) <= set(
                service.get("profiles", [])
            )
            assert along or condition.get("required") is False, (name, dependency)


def test_each_replica_of_the_api_has_a_host_port() -> None:
    (mapping,) = SERVICES["web"]["ports"]
    host, container = mapping.rsplit(":", 1)
    first, _, last = host.partition("-")
    assert int(last or first) - int(first) + 1 == SERVICES["web"]["deploy"]["replicas"]
    assert container == "8000"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_the_app_containers_run_real_commands(name: str) -> None:
    command = SERVICES[name]["command"]
    assert command[0] == "pifai"
    result = CliRunner().invoke(cli, [*command[1:], "--help"])
    assert result.exit_code == 0, result.output


def test_the_api_is_healthy_when_its_healthz_answers() -> None:
    """The workers start once the API is healthy (it migrated): the image's check."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    (check,) = re.findall(r"^HEALTHCHECK .*$", dockerfile, flags=re.M)
    path = re.search(r"http://127\.0\.0\.1:8000(/\w+)", check)
    assert path and path[1] in {route.path for route in health.router.routes}  # type: ignore[attr-defined]
    assert SERVICES["worker"]["depends_on"]["web"]["condition"] == "service_healthy"
    assert SERVICES["worker"]["healthcheck"] == {"disable": True}


@pytest.mark.parametrize("name", APP_SERVICES)
def test_the_environment_is_settings_the_app_accepts_in_production(name: str) -> None:
    environment: dict[str, str] = SERVICES[name]["environment"]
    assert set(environment) <= SETTINGS_NAMES, set(environment) - SETTINGS_NAMES
    for secret in [n.upper() for n in SECRET_FIELDS] + ["APP_DB_PASSWORD", "POSTGRES_PASSWORD"]:
        # Never a default: compose refuses to start without it.
        assert secret in _required_variables()
    with pytest.raises(KeyError):
        interpolate(environment["SECRET_KEY"], {})
    given = {variable: f"stand-in-{variable.lower()}" for variable in _required_variables()}
    values = {key.lower(): interpolate(str(value), given) for key, value in environment.items()}
    assert values["app_env"] == "production"
    settings = Settings(**values)  # type: ignore[arg-type]
    assert settings.database_url and "@postgres:5432/" in settings.database_url
    assert settings.redis_url == "redis://redis:6379/0"
    assert settings.app_db_password is not None and settings.platform_db_password is not None
    assert settings.storage_backend == "local"
    given["STORAGE_BACKEND"] = "s3"
    s3 = {key.lower(): interpolate(str(value), given) for key, value in environment.items()}
    assert Settings(**s3).s3_endpoint_url == "http://minio:9000"  # type: ignore[arg-type]
