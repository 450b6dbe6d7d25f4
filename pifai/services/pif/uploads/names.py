"""Names for uploaded files: what a user sees, and what a copy on disk may be called."""

from __future__ import annotations

import re
import unicodedata

MAX_NAME_BYTES = 255
_RESERVED = re.compile(r"^(CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³])(\..*)?$", re.IGNORECASE)
_FORBIDDEN = frozenset('<>:"/\\|?*')


def _clean(original: str) -> str:
    """NFC, last path component, no control/format/unassigned characters, tidy spaces."""
    name = unicodedata.normalize("NFC", original)
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    kept: list[str] = []
    for c in name:
        category = unicodedata.category(c)
        if category in ("Cc", "Cf", "Cs", "Co", "Cn") and c != "\t":
            # Includes NUL, CR/LF (header injection) and bidi overrides (U+202E spoofs
            # extensions: "invoice\u202efdp.exe").
            continue
        kept.append(" " if category in ("Zs", "Zl", "Zp") or c == "\t" else c)
    return re.sub(r" {2,}", " ", "".join(kept)).strip()


def _truncate(name: str, max_bytes: int) -> str:
    if len(name.encode()) <= max_bytes:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or len(ext.encode()) > 16:
        stem, ext = name, ""
    suffix = f".{ext}" if ext else ""
    budget = max_bytes - len(suffix.encode())
    cut = stem.encode()[:budget].decode("utf-8", "ignore").rstrip(" .")
    return cut + suffix


def display_name(original: str) -> str:
    """The user's name for display and Content-Disposition: Unicode kept, NFC, no path and
    no control characters. Not for filesystem use."""
    return _truncate(_clean(original), MAX_NAME_BYTES) or "file"


def safe_storage_name(original: str) -> str:
    """A name safe on any filesystem and in any header (Unicode such as Chinese is kept):
    no path components or ``..``, no control characters, none of ``<>:"/\\|?*``, no
    leading dots, no trailing dots or spaces, no Windows device names, at most 255 bytes.
    Storage keys never use it; it is what a downloaded or exported copy is called."""
    name = "".join("_" if c in _FORBIDDEN else c for c in _clean(original))
    # Dots and spaces in any order ('.\t0' is '. 0' once cleaned): the name starts after.
    name = name.lstrip(". ").rstrip(" .")
    if _RESERVED.match(name):
        name = f"_{name}"
    name = _truncate(name, MAX_NAME_BYTES)
    return name or "file"
