"""deploy/kubernetes: every manifest parses, each kustomization renders from files that
exist, every object is valid for the pinned Kubernetes versions (kubernetes-validate
ships their JSON schemas: no network), KEDA's objects carry what its CRDs require, and
what the pods are told (commands, environment, probes, streams) is what the app has."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml
from typer.testing import CliRunner

from pifai.api import health
from pifai.cli import app as cli
from pifai.core.config import SECRET_FIELDS, Settings
from pifai.services.jobs import production_jobs
from pifai.services.queue.streams import GROUP, stream_key

ROOT = Path(__file__).resolve().parents[2] / "deploy" / "kubernetes"
BASE = ROOT / "base"
OVERLAY = ROOT / "overlays" / "example"
# The oldest and the newest minor version the manifests are checked against.
KUBERNETES_VERSIONS = ("1.30.0", "1.34.0")
SECRET_NAME = "pifai-secrets"
SETTINGS_NAMES = {name.upper() for name in Settings.model_fields}
CLUSTER_SCOPED = {"Namespace"}
POD_OWNERS = {"Deployment", "Job"}

# What KEDA's CRDs (keda.sh_scaledobjects.yaml, keda.sh_triggerauthentications.yaml,
# KEDA v2) require of the fields used here: scaleTargetRef.name and triggers (each with a
# type and string metadata); a secretTargetRef entry names parameter, secret and key.
_STRINGS = {"type": "object", "additionalProperties": {"type": "string"}}
_NAMED = {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}
_METADATA = {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}
KEDA_SCHEMAS: dict[str, dict[str, Any]] = {
    "ScaledObject": {
        "type": "object",
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "properties": {
            "apiVersion": {"const": "keda.sh/v1alpha1"},
            "metadata": _METADATA,
            "spec": {
                "type": "object",
                "required": ["scaleTargetRef", "triggers"],
                "additionalProperties": False,
                "properties": {
                    "scaleTargetRef": {
                        **_NAMED,
                        "additionalProperties": False,
                        "properties": {
                            "name": {"type": "string"},
                            "kind": {"type": "string"},
                            "apiVersion": {"type": "string"},
                            "envSourceContainerName": {"type": "string"},
                        },
                    },
                    "minReplicaCount": {"type": "integer", "minimum": 0},
                    "maxReplicaCount": {"type": "integer", "minimum": 1},
                    "pollingInterval": {"type": "integer", "minimum": 1},
                    "cooldownPeriod": {"type": "integer", "minimum": 0},
                    "idleReplicaCount": {"type": "integer", "minimum": 0},
                    "advanced": {"type": "object"},
                    "fallback": {"type": "object"},
                    "triggers": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "required": ["type", "metadata"],
                            "additionalProperties": False,
                            "properties": {
                                "type": {"type": "string"},
                                "name": {"type": "string"},
                                "metadata": _STRINGS,
                                "authenticationRef": _NAMED,
                                "metricType": {"enum": ["AverageValue", "Value", "Utilization"]},
                                "useCachedMetrics": {"type": "boolean"},
                            },
                        },
                    },
                },
            },
        },
    },
    "TriggerAuthentication": {
        "type": "object",
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "properties": {
            "apiVersion": {"const": "keda.sh/v1alpha1"},
            "metadata": _METADATA,
            "spec": {
                "type": "object",
                "properties": {
                    "secretTargetRef": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["parameter", "name", "key"],
                            "additionalProperties": False,
                            "properties": {
                                "parameter": {"type": "string"},
                                "name": {"type": "string"},
                                "key": {"type": "string"},
                            },
                        },
                    },
                },
            },
        },
    },
}
# The redis-streams scaler's metadata keys (KEDA docs, "Redis Streams" scaler).
REDIS_STREAMS_METADATA = {
    "address",
    "host",
    "port",
    "usernameFromEnv",
    "passwordFromEnv",
    "stream",
    "consumerGroup",
    "pendingEntriesCount",
    "streamLength",
    "lagCount",
    "activationLagCount",
    "databaseIndex",
    "enableTLS",
    "unsafeSsl",
}


def _documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]


def _merge(target: dict[str, Any], patch: dict[str, Any]) -> None:
    """A strategic merge patch of maps (what the patches here use)."""
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


def _containers(obj: dict[str, Any]) -> list[dict[str, Any]]:
    if obj["kind"] not in POD_OWNERS:
        return []
    pod = obj["spec"]["template"]["spec"]
    return [*pod.get("initContainers", []), *pod["containers"]]


def render(directory: Path) -> list[dict[str, Any]]:
    """The kustomize features used under deploy/kubernetes: resources (files or
    kustomizations), labels, namespace, images and patches by kind and name."""
    (kustomization,) = _documents(directory / "kustomization.yaml")
    assert kustomization["kind"] == "Kustomization"
    known = {"apiVersion", "kind", "resources", "labels", "namespace", "images", "patches"}
    assert set(kustomization) <= known, set(kustomization) - known
    objects: list[dict[str, Any]] = []
    for ref in kustomization["resources"]:
        path = directory / ref
        assert path.exists(), f"{directory.name}/kustomization.yaml: {ref} does not exist"
        objects += render(path) if path.is_dir() else _documents(path)
    for patch_ref in kustomization.get("patches", []):
        (patch,) = _documents(directory / patch_ref["path"])
        (target,) = [
            o
            for o in objects
            if (o["kind"], o["metadata"]["name"]) == (patch["kind"], patch["metadata"]["name"])
        ]
        _merge(target, patch)
    for entry in kustomization.get("labels", []):
        assert entry.get("includeSelectors") is False and not entry.get("includeTemplates")
        for obj in objects:
            obj["metadata"]["labels"] = {**obj["metadata"].get("labels", {}), **entry["pairs"]}
    if namespace := kustomization.get("namespace"):
        for obj in objects:
            if obj["kind"] not in CLUSTER_SCOPED:
                obj["metadata"]["namespace"] = namespace
    for image in kustomization.get("images", []):
        for container in (c for o in objects for c in _containers(o)):
            name, _, tag = container["image"].partition(":")
            if name == image["name"]:
                container["image"] = f"{image.get('newName', name)}:{image.get('newTag', tag)}"
    return objects


@pytest.fixture(scope="module", params=[BASE, OVERLAY], ids=["base", "overlay"])
def rendered(request: pytest.FixtureRequest) -> list[dict[str, Any]]:
    return render(request.param)


def _by_kind(objects: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def test_every_manifest_parses_and_every_file_is_used() -> None:
    files = sorted(ROOT.rglob("*.yaml"))
    assert files
    used: set[Path] = set()
    for kustomization in ROOT.rglob("kustomization.yaml"):
        (spec,) = _documents(kustomization)
        used |= {kustomization.parent / ref for ref in spec["resources"]}
        used |= {kustomization.parent / p["path"] for p in spec.get("patches", [])}
        used.add(kustomization)
    for path in files:
        assert _documents(path), f"{path} is empty"
    assert {p.resolve() for p in files} <= {p.resolve() for p in used}


def test_the_rendering_is_what_kustomize_renders() -> None:
    """The renderer above stands in for kustomize offline; where kubectl is installed
    (CI images usually have it) its built-in kustomize must agree."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        return
    for directory in (BASE, OVERLAY):
        out = subprocess.run(
            [kubectl, "kustomize", str(directory)],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        ).stdout

        def key(o: dict[str, Any]) -> str:
            return json.dumps(o, sort_keys=True)

        theirs = sorted((d for d in yaml.safe_load_all(out) if d), key=key)
        assert sorted(render(directory), key=key) == theirs


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_object_is_valid_for_the_pinned_kubernetes_versions(
    rendered: list[dict[str, Any]], version: str
) -> None:
    core = [o for o in rendered if not o["apiVersion"].startswith("keda.sh/")]
    assert {o["kind"] for o in core} >= {
        "Deployment",
        "Job",
        "Service",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "NetworkPolicy",
        "ConfigMap",
        "ServiceAccount",
    }
    for obj in core:
        # strict: a misspelt or misplaced field is an error, not silently dropped.
        kubernetes_validate.validate(obj, version, strict=True)


def test_keda_objects_carry_what_the_crds_require(rendered: list[dict[str, Any]]) -> None:
    keda = [o for o in rendered if o["apiVersion"].startswith("keda.sh/")]
    assert {o["kind"] for o in keda} == set(KEDA_SCHEMAS)
    for obj in keda:
        jsonschema.validate(obj, KEDA_SCHEMAS[obj["kind"]])
    (scaled,) = _by_kind(rendered, "ScaledObject").values()
    assert scaled["spec"]["scaleTargetRef"]["name"] in _by_kind(rendered, "Deployment")
    auths = _by_kind(rendered, "TriggerAuthentication")
    for trigger in scaled["spec"]["triggers"]:
        assert trigger["type"] == "redis-streams"
        assert set(trigger["metadata"]) <= REDIS_STREAMS_METADATA
        assert trigger["authenticationRef"]["name"] in auths
    for auth in auths.values():
        assert {ref["name"] for ref in auth["spec"]["secretTargetRef"]} == {SECRET_NAME}


def test_workers_scale_on_every_stream_the_queue_has(rendered: list[dict[str, Any]]) -> None:
    (scaled,) = _by_kind(rendered, "ScaledObject").values()
    triggers = scaled["spec"]["triggers"]
    streams = {t["metadata"]["stream"] for t in triggers}
    assert streams == {stream_key(kind) for kind in production_jobs().names()}
    assert {t["metadata"]["consumerGroup"] for t in triggers} == {GROUP}
    # Workers also run the sweeper and the periodic jobs: never scaled to zero.
    assert scaled["spec"]["minReplicaCount"] >= 1


def _pod_env(obj: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for c in _containers(obj) for e in c.get("env", [])]


def test_the_environment_names_settings_and_secrets_come_from_references(
    rendered: list[dict[str, Any]],
) -> None:
    assert not _by_kind(rendered, "Secret"), "no secret is committed"
    (config,) = _by_kind(rendered, "ConfigMap").values()
    assert set(config["data"]) <= SETTINGS_NAMES, set(config["data"]) - SETTINGS_NAMES
    secret_settings = {
        name.upper()
        for name, field in Settings.model_fields.items()
        if "SecretStr" in str(field.annotation)
    }
    assert not secret_settings & set(config["data"])
    Settings(**{k.lower(): v for k, v in config["data"].items()}, **_secret_stand_ins())
    owners = [o for o in rendered if o["kind"] in POD_OWNERS]
    assert owners
    for obj in owners:
        env = _pod_env(obj)
        names = {e["name"] for e in env}
        assert names <= SETTINGS_NAMES, names - SETTINGS_NAMES
        assert {n.upper() for n in SECRET_FIELDS} | {"DATABASE_URL"} <= names
        for entry in env:
            # Values live in the ConfigMap or the Secret, never inline.
            assert set(entry) == {"name", "valueFrom"}, entry
            ref = entry["valueFrom"]["secretKeyRef"]
            assert ref["name"] == SECRET_NAME and ref["key"] == entry["name"]
        for container in _containers(obj):
            assert container["envFrom"] == [{"configMapRef": {"name": "pifai-config"}}]


def _secret_stand_ins() -> dict[str, str]:
    return {n: "stand-in" for n in SECRET_FIELDS} | {"database_url": "postgresql://x/y"}


def _args(container: dict[str, Any]) -> list[str]:
    command = [*container.get("command", []), *container.get("args", [])]
    assert command[0] == "pifai", command
    return command[1:]


def test_the_pods_run_real_commands_with_real_probes(rendered: list[dict[str, Any]]) -> None:
    deployments = _by_kind(rendered, "Deployment")
    commands = {
        name: _args(c)
        for name, o in deployments.items()
        for c in o["spec"]["template"]["spec"]["containers"]
    }
    (job,) = _by_kind(rendered, "Job").values()
    (migrate,) = job["spec"]["template"]["spec"]["containers"]
    assert commands == {"pifai-web": ["serve"], "pifai-worker": ["worker"]}
    assert _args(migrate) == ["db", "upgrade"]
    runner = CliRunner()
    for args in [*commands.values(), _args(migrate)]:
        result = runner.invoke(cli, [*args, "--help"])
        assert result.exit_code == 0, (args, result.output)
    routes = {route.path for route in health.router.routes}  # type: ignore[attr-defined]
    (web,) = deployments["pifai-web"]["spec"]["template"]["spec"]["containers"]
    assert web["livenessProbe"]["httpGet"]["path"] == "/healthz" in routes
    assert web["readinessProbe"]["httpGet"]["path"] == "/readyz" in routes
    (config,) = _by_kind(rendered, "ConfigMap").values()
    (web_port,) = web["ports"]
    assert web_port["containerPort"] == int(config["data"]["PORT"])
    (worker,) = deployments["pifai-worker"]["spec"]["template"]["spec"]["containers"]
    (metrics_port,) = worker["ports"]
    assert metrics_port["containerPort"] == int(config["data"]["WORKER_METRICS_PORT"])
    # The worker drains its tasks before Kubernetes kills it.
    grace = deployments["pifai-worker"]["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
    assert grace > float(config["data"]["WORKER_DRAIN_TIMEOUT_SECONDS"])


def _selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return selector.items() <= labels.items()


def test_selectors_and_targets_match_the_workloads(rendered: list[dict[str, Any]]) -> None:
    deployments = _by_kind(rendered, "Deployment")
    pod_labels = {n: d["spec"]["template"]["metadata"]["labels"] for n, d in deployments.items()}
    for name, deployment in deployments.items():
        assert _selects(deployment["spec"]["selector"]["matchLabels"], pod_labels[name])
    for pdb in _by_kind(rendered, "PodDisruptionBudget").values():
        matched = [
            n
            for n, labels in pod_labels.items()
            if _selects(pdb["spec"]["selector"]["matchLabels"], labels)
        ]
        assert len(matched) == 1, pdb["metadata"]["name"]
    (hpa,) = _by_kind(rendered, "HorizontalPodAutoscaler").values()
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "pifai-web",
    }
    (metric,) = hpa["spec"]["metrics"]
    assert metric["resource"]["name"] == "cpu"
    web = deployments["pifai-web"]["spec"]["template"]["spec"]["containers"][0]
    assert "cpu" in web["resources"]["requests"], "CPU utilisation needs a CPU request"
    (service,) = _by_kind(rendered, "Service").values()
    assert _selects(service["spec"]["selector"], pod_labels["pifai-web"])
    assert not _selects(service["spec"]["selector"], pod_labels["pifai-worker"])
    policies = _by_kind(rendered, "NetworkPolicy").values()
    for policy in policies:
        selector = policy["spec"]["podSelector"]["matchLabels"]
        assert any(_selects(selector, labels) for labels in pod_labels.values())
    denied = [p for p in policies if set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}]
    assert denied and all("ingress" not in p["spec"] and "egress" not in p["spec"] for p in denied)
    for name in deployments:
        template = deployments[name]["spec"]["template"]["spec"]
        assert template["serviceAccountName"] in _by_kind(rendered, "ServiceAccount")


def test_the_overlay_changes_only_what_it_says() -> None:
    base, overlay = render(BASE), render(OVERLAY)
    assert {o["metadata"].get("namespace") for o in overlay if o["kind"] != "Namespace"} == {
        "pifai"
    }
    assert len(overlay) == len(base) + 1
    (config,) = _by_kind(overlay, "ConfigMap").values()
    assert config["data"]["PUBLIC_BASE_URL"] == "https://pif.example.org"
    assert re.fullmatch(
        r"ghcr\.io/example/pifai:[\w.]+",
        _containers(_by_kind(overlay, "Job")["pifai-migrate"])[0]["image"],
    )
