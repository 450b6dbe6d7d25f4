"""CAS registry numbers: the check digit, and finding the numbers written in a cell."""

from __future__ import annotations

import re
import unicodedata

_CAS_FORMAT = re.compile(r"^(\d{2,7})-(\d{2})-(\d)$")
_CAS_FIND = re.compile(r"(?<![\d-])(\d{2,7})-(\d{2})-(\d)(?![\d-])")


def cas_check_digit(body: str) -> int:
    """Check digit of the CAS digits before it: position from the right, starting at 1."""
    digits = [int(ch) for ch in body if ch.isdigit()]
    return sum(i * d for i, d in enumerate(reversed(digits), start=1)) % 10


def is_valid_cas(cas: str) -> bool:
    match = _CAS_FORMAT.match(cas.strip())
    if match is None:
        return False
    return cas_check_digit(match.group(1) + match.group(2)) == int(match.group(3))


def find_cas_numbers(text: str | None) -> list[str]:
    """Every CAS-shaped token in a cell ("56-81-5 / 7732-18-5"), valid or not."""
    if not text:
        return []
    normal = unicodedata.normalize("NFKC", text).replace("‐", "-").replace("–", "-")
    return ["-".join(m.groups()) for m in _CAS_FIND.finditer(normal)]
