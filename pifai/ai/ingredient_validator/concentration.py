"""Concentration text ("q.s. to 100", "0,5", "0.1~0.5", "50 ppm") to % w/w."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Concentration:
    """A concentration in % w/w; `value` is None for balance rows and missing values."""

    value: float | None
    is_balance: bool = False
    notes: tuple[str, ...] = ()
    valid: bool = True


_BALANCE_RE = re.compile(
    r"^(?:q\.?\s*s\.?\s*p?\.?|qsp|ad|to|balance|bal\.?|remainder|rest|up\s*to|add\s*to"
    r"|適量|适量|余量|餘量|補足|补足|加至|補至|补至)"
    r"(?:\s*(?:ad|to|至)?\s*100\s*(?:%|g|w/w)?)?\.?$",
    re.IGNORECASE,
)
_NUMBER = r"\d+(?:[.,]\d+)?(?:e-?\d+)?"
_UNIT_RE = re.compile(
    r"\s*(%\s*\(?w/w\)?|%\s*wt|wt\s*%|w/w\s*%?|%|ppm|mg/kg|‰|per\s*mille|permille)\s*$",
    re.IGNORECASE,
)
_RANGE_RE = re.compile(rf"^({_NUMBER})\s*%?\s*(?:-|~|to|至|–|—)\s*({_NUMBER})$", re.IGNORECASE)
_BOUND_RE = re.compile(rf"^(<=|>=|<|>|≤|≥|≦|≧|max\.?|min\.?|up to)\s*({_NUMBER})$", re.IGNORECASE)
_EMPTY = {"", "-", "—", "n/a", "na", "none", "/", "?", "tbd"}


def _to_float(text: str, factor: float = 1.0, thousands: bool = False) -> float:
    """The number in % (times `factor`, the unit's); ValueError for a non-zero number
    too small for a float ("1e-400" would otherwise read as 0, a valid share)."""
    # A comma is a decimal comma ("0,5"), except "1,000 ppm" where it groups thousands.
    if "," in text:
        head, _, tail = text.partition(",")
        grouped = thousands and len(tail) == 3 and head not in ("0", "")
        text = head + tail if grouped else head + "." + tail
    value = float(text) * factor
    if value == 0.0 and re.search(r"[1-9]", text.partition("e")[0]):
        raise ValueError(f"{text} underflows to 0")
    return value


def parse_concentration(raw: str | float | int | None) -> Concentration:
    """Parse a concentration cell into % w/w; never raises."""
    if raw is None:
        return Concentration(None, notes=("no concentration given",))
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        value = float(raw)
        return _checked(value, ()) if math.isfinite(value) else _invalid(str(raw))
    text = unicodedata.normalize("NFKC", str(raw)).strip().lower()
    text = " ".join(text.split())
    if text in _EMPTY:
        return Concentration(None, notes=("no concentration given",))
    if _BALANCE_RE.match(text):
        return Concentration(None, is_balance=True, notes=(f"{raw!s} read as balance to 100%",))
    factor, unit_note = 1.0, None
    unit = _UNIT_RE.search(text)
    if unit is not None:
        word = unit.group(1).replace(" ", "")
        if word in ("ppm", "mg/kg"):
            factor, unit_note = 1e-4, f"{raw!s}: ppm converted to %"
        elif word in ("‰", "permille"):
            factor, unit_note = 0.1, f"{raw!s}: per mille converted to %"
        text = text[: unit.start()].strip()
    notes: list[str] = [unit_note] if unit_note else []
    try:
        if match := _RANGE_RE.match(text):
            low, high = _to_float(match.group(1), factor), _to_float(match.group(2), factor)
            if low > high:
                low, high = high, low
            notes.append(f"range {raw!s}: upper bound {format_percent(high)}% used")
            return _checked(high, tuple(notes))
        if match := _BOUND_RE.match(text):
            sign, value = match.group(1), _to_float(match.group(2), factor)
            if sign.startswith((">", "≥", "≧", "min")):
                notes.append(f"{raw!s}: only a lower bound is given")
            else:
                notes.append(f"{raw!s}: upper bound {format_percent(value)}% used")
            return _checked(value, tuple(notes))
        if re.fullmatch(_NUMBER, text):
            return _checked(_to_float(text, factor, thousands=factor < 1e-3), tuple(notes))
    except ValueError:
        pass
    return _invalid(str(raw))


def format_percent(value: float) -> str:
    return f"{value:.6g}"


def _checked(value: float, notes: tuple[str, ...]) -> Concentration:
    if not math.isfinite(value) or value < 0 or value > 100:
        return Concentration(
            None, notes=(*notes, f"{format_percent(value)}% is not a valid share"), valid=False
        )
    return Concentration(value, notes=notes)


def _invalid(raw: str) -> Concentration:
    return Concentration(None, notes=(f"concentration {raw!r} not understood",), valid=False)
