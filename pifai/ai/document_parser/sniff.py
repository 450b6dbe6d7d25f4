"""The container format from the leading bytes, and the zip checks done before any
Office document is opened."""

from __future__ import annotations

import io
import zipfile
from typing import Literal

from pifai.ai.document_parser.types import (
    MAX_ZIP_MEMBERS,
    MAX_ZIP_RATIO,
    MAX_ZIP_UNCOMPRESSED,
    FormulaParseError,
)

Sniffed = Literal["pdf", "zip", "ole", "image", "text"]


def sniff_format(data: bytes) -> Sniffed:
    """Container format from the leading bytes (a zip is told apart later by its members)."""
    head = data[:16]
    if head.startswith(b"%PDF") or b"%PDF-" in data[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")):
        return "image"
    if head.startswith((b"GIF87a", b"GIF89a")) or (
        head.startswith(b"RIFF") and head[8:12] == b"WEBP"
    ):
        return "image"
    return "text"


def check_zip(data: bytes) -> tuple[zipfile.ZipFile, set[str]]:
    """Open a zip only after its declared sizes say it is not a bomb."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise FormulaParseError(
            "The file looks like an Office document but its zip container is damaged; "
            "re-save it from Excel or Word and upload again."
        ) from exc
    if len(infos) > MAX_ZIP_MEMBERS:
        raise FormulaParseError("The document has too many parts to be a formula file.")
    total = 0
    for info in infos:
        total += info.file_size
        # Python's zipfile stops at the declared size, so declared sizes are a real bound.
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 1024 * 1024 and ratio > MAX_ZIP_RATIO:
            raise FormulaParseError(
                f"The document part {info.filename!r} expands {ratio:.0f}-fold; "
                "refusing it as a possible zip bomb."
            )
    if total > MAX_ZIP_UNCOMPRESSED:
        raise FormulaParseError(
            f"The document expands to {total // (1024 * 1024)} MB; the limit is "
            f"{MAX_ZIP_UNCOMPRESSED // (1024 * 1024)} MB."
        )
    return archive, {i.filename for i in infos}
