"""Headers for serving a stored file: the RFC 6266 Content-Disposition."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from pifai.services.pif.uploads import display_name

# RFC 5987 attr-char minus what quote() always keeps (letters, digits and "_.-~").
_ATTR_SAFE = "!#$&+^`|"


def _ascii_fallback(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    chars: list[str] = []
    for c in decomposed:
        if unicodedata.combining(c):
            continue  # "é" -> "e"
        if " " <= c <= "~" and c not in '"\\%;':
            chars.append(c)
        elif not chars or chars[-1] != "_":
            chars.append("_")
    ascii_name = "".join(chars)
    stem, dot, ext = ascii_name.rpartition(".")
    if not dot:
        stem, ext = ascii_name, ""
    stem = stem.strip("_ .")
    ext = ext.strip("_ ")
    if not any(c.isalnum() for c in stem):
        stem = "download"  # e.g. an all-Chinese name: clients show the filename* instead
    return f"{stem}.{ext}" if ext else stem


def content_disposition(filename: str, *, disposition: str = "attachment") -> str:
    """An RFC 6266 header: ASCII ``filename="..."`` for old clients, then the exact name as
    RFC 5987 ``filename*=UTF-8''...`` (which clients prefer), so Chinese names round-trip."""
    if disposition not in ("attachment", "inline"):
        raise ValueError("disposition must be 'attachment' or 'inline'")
    name = display_name(filename)
    encoded = quote(name, safe=_ATTR_SAFE, encoding="utf-8")
    return f"{disposition}; filename=\"{_ascii_fallback(name)}\"; filename*=UTF-8''{encoded}"
