"""Raw rows to validated rows, then the formula-level checks: balance rows, the
100 % +/- 2 % total, duplicate rows and ordering."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from pifai.ai.document_parser import RawRow
from pifai.ai.ingredient_validator.cas import find_cas_numbers, is_valid_cas
from pifai.ai.ingredient_validator.concentration import format_percent, parse_concentration
from pifai.ai.ingredient_validator.dictionary import (
    UNKNOWN_CONFIDENCE,
    DictionaryEntry,
    IngredientDictionary,
    Match,
    MatchMethod,
)
from pifai.ai.ingredient_validator.names import name_key, normalize_name

TOTAL_TOLERANCE = 2.0


@dataclass(slots=True)
class ValidatedRow:
    inci: str
    raw_name: str
    cas: str | None
    concentration: float | None
    function: str | None
    confidence: float
    method: MatchMethod
    is_balance: bool = False
    flagged: bool = False
    notes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class DuplicateRows:
    """Rows naming one ingredient whose concentrations add up to more than 100 %: they
    cannot be one row, so they are kept apart and the formula cannot be stored."""

    inci: str
    positions: tuple[int, ...]  # indexes into the rows given to `validate_formula`
    sources: tuple[str, ...]  # where each row was read ("row 5", "sheet 'A', row 2")
    names: tuple[str, ...]  # the names as written, each once
    total: float

    def describe(self, rows: str) -> str:
        """The problem, with the rows named by the caller ("rows 0 and 3")."""
        return (
            f"{rows} are the same ingredient ({' / '.join(self.names)}) "
            f"and add up to {format_percent(self.total)} %"
        )

    @property
    def message(self) -> str:
        return self.describe(rows_phrase(self.sources))


def rows_phrase(labels: Sequence[str]) -> str:
    """ "rows 2 and 5" for plain row labels, else the labels joined ("sheet 'A', row 2 and
    sheet 'B', row 4")."""
    numbers = [label.removeprefix("row ") for label in labels]
    if all(n.isdigit() for n in numbers):
        return ("rows " if len(numbers) > 1 else "row ") + _joined(numbers)
    return _joined(list(labels))


def _joined(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


@dataclass(slots=True)
class ValidatedFormula:
    rows: list[ValidatedRow]
    total: float | None
    confidence: float
    findings: list[str] = field(default_factory=list)
    # Repeated ingredients over 100 % together: a formula with any cannot be stored.
    duplicates: list[DuplicateRows] = field(default_factory=list)


def validate_row(row: RawRow, dictionary: IngredientDictionary) -> ValidatedRow:
    conc = parse_concentration(row.concentration)
    notes: list[str] = []
    if row.concentration is not None or conc.is_balance:
        notes += [n for n in conc.notes if n != "no concentration given"]
    match = _match_names(row, dictionary)
    reading = _Reading(match, match.entry, match.confidence, notes, flagged=not conc.valid)
    _note_match(row, reading)
    valid_cas = _valid_cas(row, reading)
    _reconcile_cas(reading, valid_cas, dictionary)

    entry = reading.entry
    if entry is None:
        if not match.candidates:
            reading.notes.append(f"{row.name!r} is not in the ingredient dictionary")
        reading.flagged = True
        reading.confidence = min(reading.confidence, UNKNOWN_CONFIDENCE)
    inci = entry.inci if entry else normalize_name(row.name)
    function = row.function or (", ".join(entry.functions) if entry and entry.functions else None)
    return ValidatedRow(
        inci=inci,
        raw_name=row.name,
        cas=reading.cas,
        concentration=conc.value,
        function=function,
        confidence=round(max(0.0, min(1.0, reading.confidence)), 3),
        method=reading.match.method if entry else "unknown",
        is_balance=conc.is_balance,
        flagged=reading.flagged,
        notes=reading.notes,
        sources=[row.source],
    )


@dataclass(slots=True)
class _Reading:
    """What `validate_row` has established about one row so far."""

    match: Match
    entry: DictionaryEntry | None
    confidence: float
    notes: list[str]
    flagged: bool
    cas: str | None = None


def _note_match(row: RawRow, reading: _Reading) -> None:
    """What a reviewer must know about how the name matched."""
    match = reading.match
    if match.method == "fuzzy":
        inci = match.entry.inci if match.entry else ""
        reading.notes.append(f"{row.name!r} matched approximately to {inci!r}")
        reading.flagged = True
    elif match.derived and match.entry is not None:
        reading.notes.append(
            f"{row.name!r} matched {match.entry.inci!r} by a Chinese name derived from "
            "IECIC 2021 (OpenCC s2twp), not a curated Taiwan label name"
        )
    if match.entry is None and match.candidates:
        shared = "a Chinese name derived from IECIC" if match.derived else "a near name"
        reading.notes.append(
            f"{row.name!r} is {shared} of {' and '.join(map(repr, match.candidates))}; "
            "not chosen between them"
        )
        reading.flagged = True


def _match_names(row: RawRow, dictionary: IngredientDictionary) -> Match:
    """The name's match; the second name's, slightly less sure, when the first is unknown."""
    match = dictionary.match(row.name)
    if match.entry is None and row.alt_name:
        alt = dictionary.match(row.alt_name)
        if alt.entry is not None:
            match = Match(alt.entry, alt.method, alt.confidence - 0.05, alt.matched_on, alt.derived)
    return match


def _valid_cas(row: RawRow, reading: _Reading) -> list[str]:
    """The CAS numbers in the row that pass their check digit; the first one is kept."""
    cas_given = find_cas_numbers(row.cas)
    valid_cas = [c for c in cas_given if is_valid_cas(c)]
    for bad in sorted(set(cas_given) - set(valid_cas)):
        reading.notes.append(f"CAS {bad} fails its check digit")
        reading.flagged = True
        reading.confidence -= 0.1
    if row.cas and not cas_given and row.cas.strip().lower() not in ("mixture", "混合物"):
        reading.notes.append(f"CAS {row.cas!r} is not a CAS number")
    reading.cas = valid_cas[0] if valid_cas else None
    return valid_cas


def _reconcile_cas(
    reading: _Reading, valid_cas: list[str], dictionary: IngredientDictionary
) -> None:
    """Name and CAS checked against each other: a CAS may confirm, contradict, identify
    or (when none is given and the record has one) fill in."""
    entry, cas = reading.entry, reading.cas
    if entry is not None and valid_cas:
        if not set(valid_cas) & set(entry.cas):
            by_cas = [e for e in (dictionary.by_cas(c) for c in valid_cas) if e is not None]
            if by_cas and by_cas[0] is not entry:
                reading.notes.append(f"name says {entry.inci}, CAS {cas} says {by_cas[0].inci}")
                reading.confidence *= 0.6
            else:
                reading.notes.append(f"CAS {cas} is not on record for {entry.inci}")
                reading.confidence -= 0.15
            reading.flagged = True
        else:
            reading.cas = next(c for c in valid_cas if c in entry.cas)
            if reading.match.method == "fuzzy":
                reading.confidence = min(0.95, reading.confidence + 0.1)  # the CAS confirms it
    elif entry is None and valid_cas:
        found = next(((c, e) for c in valid_cas if (e := dictionary.by_cas(c))), None)
        by_cas_entry = found[1] if found else None
        shared = dictionary.cas_shared(found[0]) if found else 0
        if by_cas_entry is not None and shared > 1:
            reading.notes.append(
                f"CAS {found[0] if found else cas} is listed for {shared} ingredients (e.g. "
                f"{by_cas_entry.inci}); "
                "the name was not recognised, so none was chosen"
            )
            reading.flagged = True
        elif by_cas_entry is not None:
            reading.entry, reading.match = by_cas_entry, Match(by_cas_entry, "cas", 0.7)
            reading.confidence = 0.7
            reading.notes.append(
                f"identified by CAS {cas} as {by_cas_entry.inci}; the name was not recognised"
            )
            reading.flagged = True
    elif entry is not None and not valid_cas and len(entry.cas) == 1:
        reading.cas = entry.cas[0]
        reading.notes.append(f"CAS {reading.cas} taken from the ingredient dictionary")


def _merge(rows: list[ValidatedRow]) -> tuple[list[ValidatedRow], list[DuplicateRows]]:
    """One row per ingredient, with the rule for rows naming the same one (by INCI key,
    so "Water" and "Aqua" are one): they are merged into the first, their concentrations
    added up, while that sum stays a share (at most 100 %); a balance row among them makes
    the merged row the balance (its remainder is computed later). Rows whose sum would
    pass 100 % are not merged: each stays, flagged, and the group is returned as
    `DuplicateRows` (the formula is refused when stored rather than capped or guessed)."""
    groups: dict[str, list[int]] = {}
    for index, row in enumerate(rows):
        groups.setdefault(name_key(row.inci), []).append(index)
    duplicates = [
        group for members in groups.values() if (group := _over_100(rows, members)) is not None
    ]
    apart = {i for group in duplicates for i in group.positions}
    merged: dict[str, ValidatedRow] = {}
    out: list[ValidatedRow] = []
    for index, row in enumerate(rows):
        key = name_key(row.inci)
        if index in apart or key not in merged:
            merged.setdefault(key, row)
            out.append(row)
        else:
            _absorb(merged[key], row)
    for group in duplicates:
        for index in group.positions:
            rows[index].flagged = True
            rows[index].notes.append(f"not merged: {group.message}")
    return out, duplicates


def _over_100(rows: list[ValidatedRow], members: list[int]) -> DuplicateRows | None:
    """The group of rows as DuplicateRows when their concentrations add up past 100 %."""
    if len(members) < 2 or any(rows[i].is_balance for i in members):
        return None
    total = round(sum(rows[i].concentration or 0.0 for i in members), 10)
    if total <= 100:
        return None
    return DuplicateRows(
        inci=rows[members[0]].inci,
        positions=tuple(members),
        sources=tuple(", ".join(rows[i].sources) for i in members),
        names=tuple(dict.fromkeys(rows[i].raw_name for i in members)),
        total=total,
    )


def _absorb(first: ValidatedRow, row: ValidatedRow) -> None:
    """`row` merged into `first`, the earlier row of the same ingredient."""
    if first.concentration is not None and row.concentration is not None:
        first.concentration = round(first.concentration + row.concentration, 10)
    elif row.concentration is not None and not first.is_balance:
        first.concentration = row.concentration
    first.is_balance = first.is_balance or row.is_balance
    first.notes.append(
        f"merged with the duplicate row at {', '.join(row.sources)}"
        + (f" ({row.raw_name!r})" if row.raw_name != first.raw_name else "")
    )
    first.notes += [n for n in row.notes if n not in first.notes]
    first.sources += row.sources
    first.cas = first.cas or row.cas
    first.function = first.function or row.function
    first.confidence = min(first.confidence, row.confidence)
    first.flagged = first.flagged or row.flagged


def validate_formula(rows: Sequence[RawRow], dictionary: IngredientDictionary) -> ValidatedFormula:
    """Rows identified, balanced, merged (repeated ingredients: see `_merge`), checked
    against 100 % and sorted descending."""
    validated, duplicates = _merge([validate_row(r, dictionary) for r in rows])
    findings = [group.message for group in duplicates]
    if not validated:
        return ValidatedFormula([], None, 0.0, ["the formula has no ingredient rows"])

    balance = [r for r in validated if r.is_balance]
    fixed = sum(r.concentration or 0.0 for r in validated if not r.is_balance)
    if balance:
        remainder = round(100.0 - fixed, 6)
        if len(balance) > 1:
            findings.append(
                f"{len(balance)} balance rows ({', '.join(r.inci for r in balance)}); "
                f"the remainder is given to {balance[0].inci}"
            )
        if remainder < 0:
            findings.append(
                f"the other rows already total {format_percent(fixed)}%; no room for balance"
            )
            remainder = 0.0
        for index, row in enumerate(balance):
            row.concentration = remainder if index == 0 else 0.0
            row.notes.append(
                f"balance: 100 - {format_percent(fixed)} = {format_percent(row.concentration)}%"
            )

    missing = [r for r in validated if r.concentration is None]
    if len(missing) == len(validated):
        findings.append("no concentrations given (an ingredient list); the total cannot be checked")
        total: float | None = None
    else:
        if missing:
            findings.append(
                f"{len(missing)} row(s) without a concentration: "
                + ", ".join(r.inci for r in missing[:10])
            )
            for row in missing:
                row.flagged = True
        total = round(sum(r.concentration or 0.0 for r in validated), 6)
        if abs(total - 100.0) > TOTAL_TOLERANCE:
            findings.append(
                f"concentrations total {format_percent(total)}%, outside 100% "
                f"+/- {format_percent(TOTAL_TOLERANCE)}%"
            )

    # Stable sort: label lists (no concentrations) keep their printed order.
    validated.sort(key=lambda r: -(r.concentration if r.concentration is not None else -1.0))
    confidence = sum(r.confidence for r in validated) / len(validated)
    if total is not None and abs(total - 100.0) > TOTAL_TOLERANCE:
        confidence *= 0.8
    if missing and total is not None:
        confidence *= 0.9
    return ValidatedFormula(validated, total, round(confidence, 3), findings, duplicates)
