"""The consistency check's shipped data: its thresholds (``thresholds.json``) and the
articles of the Cosmetic Hygiene and Safety Act with their fines (``act.json``), each
with its source."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pifai.ai.consistency.model import LegalRef

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "consistency"


@dataclass(frozen=True, slots=True)
class Threshold:
    key: str
    value: float
    unit: str
    label: str
    citation: str
    verified: bool


def _read(name: str) -> dict[str, Any]:
    with (DATA_DIR / name).open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def _citation(source: dict[str, Any]) -> str:
    parts = (source.get("document"), source.get("number"), source.get("section"))
    return ", ".join(str(p) for p in parts if p)


@lru_cache(maxsize=1)
def thresholds() -> dict[str, Threshold]:
    return {
        t["key"]: Threshold(
            t["key"],
            float(t["value"]),
            t["unit"],
            t["label"],
            _citation(t["source"]),
            bool(t["verified"]),
        )
        for t in _read("thresholds.json")["thresholds"]
    }


def threshold(key: str) -> float:
    return thresholds()[key].value


@lru_cache(maxsize=1)
def legal_refs() -> dict[str, LegalRef]:
    data = _read("act.json")
    law = data["law"]
    out = {}
    for topic in data["topics"]:
        articles = ", ".join(
            p for p in (topic.get("duty_article"), topic.get("penalty_article")) if p
        )
        out[topic["topic"]] = LegalRef(
            topic=topic["topic"],
            duty_article=topic.get("duty_article"),
            penalty_article=topic.get("penalty_article"),
            fine_min_twd=topic.get("fine_min_twd"),
            fine_max_twd=topic.get("fine_max_twd"),
            citation=f"{law['name_zh']} ({law['name_en']}), {articles}",
            url=topic.get("url") or law.get("url"),
            verified=bool(topic.get("verified")),
        )
    return out


def legal(topic: str) -> LegalRef | None:
    """The topic's articles, or None when they were not found in the law's text."""
    return legal_refs().get(topic)
