"""The 2026 list of CosIng INCI names with their functions (``cosing_functions.json``:
``{"source": {...}, "map": {"INCI NAME": ["FUNCTION", ...]}}``, enumerated from the
CosIng search API). It has no CAS, EC, reference number or restriction: it adds the names
the 2021 inventory export lacks, each with its functions and the list's date."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from pifai.ai.ingredient_validator import name_key, normalize_name
from pifai.core.errors import ValidationFailed
from pifai.models.ingredient import MAX_NAME_LENGTH
from pifai.services.ingredient_import.cosing import cosing_functions
from pifai.services.ingredient_import.staging import Stage, dedupe, keys_of


class CosingNamesFormatError(ValidationFailed):
    code = "cosing_names_format_error"


@dataclass(slots=True)
class CosingNamesReport:
    names: int = 0  # entries in the file's map
    known: int = 0  # already in the inventory (left to it)
    added: int = 0  # new dictionary entries
    duplicates: int = 0  # new names spelling one already added (same matching key)
    skipped: int = 0  # without a usable name, or too long
    collected_at: str | None = None
    skipped_examples: list[str] = field(default_factory=list)


def read_cosing_names(data: bytes) -> tuple[dict[str, list[str]], dict[str, Any]]:
    """The file's name -> functions map and its ``source`` block."""
    try:
        document = json.loads(data)
    except ValueError as exc:
        raise CosingNamesFormatError(f"The CosIng name list is not JSON: {exc}") from exc
    names = document.get("map") if isinstance(document, dict) else None
    if not isinstance(names, dict):
        raise CosingNamesFormatError("The CosIng name list has no 'map' of names to functions.")
    source = document.get("source")
    return (
        {str(k): [str(f) for f in v or ()] for k, v in names.items()},
        source if isinstance(source, dict) else {},
    )


def parse_cosing_names(
    data: bytes, known_keys: Collection[str], *, source: str
) -> tuple[list[Stage], CosingNamesReport]:
    """Dictionary rows for the names whose key is not in ``known_keys`` (the inventory's),
    citing ``source`` (the list, its date and the entry's name)."""
    names, block = read_cosing_names(data)
    report = CosingNamesReport(names=len(names), collected_at=block.get("collected_at"))
    stages: list[Stage] = []
    for raw, functions in names.items():
        inci = normalize_name(raw)
        key = name_key(inci)
        if not key or len(inci) > MAX_NAME_LENGTH:
            report.skipped += 1
            if len(report.skipped_examples) < 20:
                report.skipped_examples.append(raw[:80])
            continue
        if key in known_keys:
            report.known += 1
            continue
        stages.append(
            Stage(
                inci_name=inci,
                inci_key=key,
                functions=cosing_functions(", ".join(functions)),
                source=source,
                # No CAS in this list: an empty CAS here says nothing, so not verified.
                verified=False,
                name_keys=keys_of(inci),
            )
        )
    deduped, report.duplicates = dedupe(stages)
    report.added = len(deduped)
    return deduped, report
