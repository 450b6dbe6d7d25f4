"""What an uploaded file is: its kind decided from its bytes, and the kinds each PIF item
accepts. The name only has to agree with the bytes; it never decides."""

from __future__ import annotations

import codecs
import csv
import io
import struct
import unicodedata
from collections.abc import AsyncIterable, AsyncIterator, Mapping
from enum import StrEnum

import filetype

from pifai.core.errors import UnsupportedMediaType, ValidationFailed
from pifai.services.pif.uploads.names import display_name

# How many leading bytes decide the type. Enough for several zip local headers of an
# Office file (names are in the first entries) and for a few lines of a CSV.
SNIFF_BYTES = 64 * 1024


class FileKind(StrEnum):
    pdf = "pdf"
    xlsx = "xlsx"
    docx = "docx"
    csv = "csv"
    text = "text"
    png = "png"
    jpeg = "jpeg"
    tiff = "tiff"


MIME_TYPES: Mapping[FileKind, str] = {
    FileKind.pdf: "application/pdf",
    FileKind.xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileKind.docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FileKind.csv: "text/csv",
    FileKind.text: "text/plain",
    FileKind.png: "image/png",
    FileKind.jpeg: "image/jpeg",
    FileKind.tiff: "image/tiff",
}


def mime_type(kind: FileKind) -> str:
    """Content-Type to serve a stored file with. No charset for text: a CSV may be UTF-8,
    UTF-16 or Big5 as uploaded, and the bytes are served unchanged."""
    return MIME_TYPES[kind]


_K = FileKind
_IMAGES = frozenset({_K.png, _K.jpeg, _K.tiff})
_SCANS = frozenset({_K.pdf}) | _IMAGES
_REPORT = _SCANS | {_K.docx}
# A one-column CSV (a list of INCI names, one a line) has no delimiter and sniffs as text,
# so wherever CSV is allowed plain text is too.
_TABLES = frozenset({_K.xlsx, _K.csv, _K.text})

# PIF item (DOMAIN.md) -> allowed kinds. The rule: certificates and labels are documents or
# scans; reports may also be Word files; items whose content is tabular (formula, process
# sheets, properties, adverse-event logs) also take spreadsheets and CSV.
ALLOWED_TYPES_BY_ITEM: Mapping[int, frozenset[FileKind]] = {
    1: _REPORT,  # basic data (form); supporting product specification
    2: _SCANS,  # notification / registration evidence (certificate, screenshot)
    3: _REPORT | _TABLES,  # formula: xlsx, csv, pdf, docx, images (extraction reads all)
    4: _SCANS,  # label, leaflet, outer packaging: artwork as PDF or image
    5: _SCANS,  # GMP certificate (ISO 22716 / TFDA GMP)
    6: _REPORT | {_K.xlsx},  # manufacturing method and process (process sheets)
    7: _REPORT,  # usage (form); supporting instructions
    8: _REPORT | _TABLES,  # adverse reactions: statement or complaint log
    9: _REPORT | _TABLES,  # physical/chemical properties: COA, spec sheets
    10: _REPORT | {_K.xlsx},  # toxicological data: SDS, literature, tables
    11: _REPORT,  # stability test report
    12: _REPORT,  # microbiological test report
    13: _REPORT,  # preservative efficacy (challenge) test report
    14: _REPORT,  # evidence for efficacy claims
    15: _REPORT,  # packaging material data
    16: frozenset({_K.pdf, _K.docx}),  # safety assessment (signed document)
}


# --- type sniffing -------------------------------------------------------------------------

_ZIP_LOCAL = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _zip_member_names(head: bytes) -> list[str]:
    """Names of the zip local file headers found in ``head`` (the central directory is at
    the end, which a head does not have; Office names its parts in the first entries)."""
    names: list[str] = []
    pos = head.find(_ZIP_LOCAL)
    while pos != -1 and pos + 30 <= len(head):
        name_len, extra_len = struct.unpack_from("<HH", head, pos + 26)
        raw = head[pos + 30 : pos + 30 + name_len]
        if len(raw) == name_len and name_len:
            names.append(raw.decode("utf-8", "replace"))
        pos = head.find(_ZIP_LOCAL, pos + 30 + name_len + extra_len)
    return names


def _office_kind(head: bytes) -> FileKind | None:
    names = _zip_member_names(head)
    # OOXML package markers. Excel and Word write [Content_Types].xml first; openpyxl
    # writes it last but starts with docProps/, so any marker counts.
    is_package = any(
        n == "[Content_Types].xml" or n.startswith(("_rels/", "docProps/")) for n in names
    )
    spreadsheet = any(n.startswith("xl/") for n in names)
    document = any(n.startswith("word/") for n in names)
    if not is_package:
        return None
    if spreadsheet and not document:
        return FileKind.xlsx
    if document and not spreadsheet:
        return FileKind.docx
    return None


_TEXT_ENCODINGS = ("utf-8", "cp950", "gb18030")  # UTF-8, then Big5 (Taiwan Excel exports)
_ALLOWED_CONTROLS = frozenset("\t\n\r\f")


def _decode_text(head: bytes) -> str | None:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates: tuple[str, ...] = ("utf-16",)
    elif b"\x00" in head:
        return None
    else:
        candidates = _TEXT_ENCODINGS
        head = head.removeprefix(codecs.BOM_UTF8)
    for encoding in candidates:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            # final=False: the head may end in the middle of a multi-byte character.
            text = str(decoder.decode(head, final=False))
        except UnicodeDecodeError:
            continue
        if any(unicodedata.category(c) == "Cc" and c not in _ALLOWED_CONTROLS for c in text):
            return None
        return text
    return None


def _looks_like_csv(text: str, truncated: bool) -> bool:
    lines = [line for line in text.splitlines() if line.strip()]
    if truncated and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut short
    lines = lines[:50]
    if not lines:
        return False
    for delimiter in (",", "\t", ";", "|"):
        if not any(delimiter in line for line in lines):
            continue
        rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
        counts = [len(row) for row in rows if row]
        if not counts:
            continue
        modal = max(set(counts), key=counts.count)
        if modal >= 2 and counts.count(modal) >= 0.8 * len(counts):
            return True
    return False


def sniff_content_type(head: bytes) -> FileKind | None:
    """The kind of a file from its first bytes (pass up to :data:`SNIFF_BYTES`), or None."""
    if not head:
        return None
    if head.startswith(b"%PDF-"):
        return FileKind.pdf
    if head.startswith(_ZIP_LOCAL):
        return _office_kind(head)
    guess = filetype.guess(head)
    if guess is not None:
        return {"png": FileKind.png, "jpg": FileKind.jpeg, "tif": FileKind.tiff}.get(
            str(guess.extension)
        )
    text = _decode_text(head)
    if text is None:
        return None
    return FileKind.csv if _looks_like_csv(text, len(head) >= SNIFF_BYTES) else FileKind.text


def describe_content(head: bytes) -> str:
    """Human words for what the bytes are, for error messages."""
    kind = sniff_content_type(head)
    if kind is not None:
        return {FileKind.text: "plain text", FileKind.csv: "CSV"}.get(kind, kind.value.upper())
    if not head:
        return "an empty file"
    if head.startswith(_OLE2):
        return "a legacy Office file (.xls/.doc) or a password-protected Office file"
    if head.startswith(_ZIP_LOCAL):
        return "a ZIP archive that is not an .xlsx or .docx file"
    guess = filetype.guess(head)
    if guess is not None:
        return f"{guess.mime} (.{guess.extension})"
    return "unrecognised binary data"


def allowed_types(item_number: int) -> frozenset[FileKind]:
    try:
        return ALLOWED_TYPES_BY_ITEM[item_number]
    except KeyError:
        raise ValidationFailed(
            f"PIF item {item_number} does not exist; items are numbered 1 to 16.",
            details={"item_number": item_number},
        ) from None


_KINDS_BY_EXTENSION: Mapping[str, frozenset[FileKind]] = {
    "pdf": frozenset({_K.pdf}),
    "xlsx": frozenset({_K.xlsx}),
    "docx": frozenset({_K.docx}),
    "csv": frozenset({_K.csv, _K.text}),
    "tsv": frozenset({_K.csv, _K.text}),
    "txt": frozenset({_K.csv, _K.text}),
    "png": frozenset({_K.png}),
    "jpg": frozenset({_K.jpeg}),
    "jpeg": frozenset({_K.jpeg}),
    "jpe": frozenset({_K.jpeg}),
    "tif": frozenset({_K.tiff}),
    "tiff": frozenset({_K.tiff}),
}


def _extension(filename: str | None) -> str | None:
    if not filename:
        return None
    base = display_name(filename)
    stem, dot, ext = base.rpartition(".")
    return ext.lower() if dot and stem else None


def check_content_type(item_number: int, head: bytes, filename: str | None = None) -> FileKind:
    """The kind of ``head`` if item ``item_number`` accepts it, else UnsupportedMediaType.

    The bytes decide. The name is only checked for consistency: a name ending in one of the
    extensions we know (``.xlsx``, ``.pdf``, ``.png``, ...) must match the content, so a PNG
    named ``formula.xlsx`` is refused; unknown or missing extensions are left to the bytes.
    """
    allowed = allowed_types(item_number)
    kind = sniff_content_type(head)
    ext = _extension(filename)
    expected = _KINDS_BY_EXTENSION.get(ext) if ext else None
    if kind is not None and expected is not None and kind not in expected:
        raise UnsupportedMediaType(
            f"The file is named .{ext} but its content is {describe_content(head)}; "
            "rename it to match or upload the intended file.",
            details={"detected": kind.value, "extension": ext, "item_number": item_number},
        )
    if kind is None or kind not in allowed:
        names = sorted(k.value for k in allowed)
        raise UnsupportedMediaType(
            f"The file content is {describe_content(head)}; PIF item {item_number} accepts "
            f"{', '.join(names)} (decided from the file's bytes, not its name).",
            details={
                "detected": kind.value if kind else None,
                "allowed": names,
                "item_number": item_number,
            },
        )
    return kind


async def check_upload(
    chunks: AsyncIterable[bytes],
    item_number: int,
    filename: str | None = None,
    *,
    sniff_bytes: int = SNIFF_BYTES,
) -> tuple[FileKind, AsyncIterator[bytes]]:
    """Read just enough of the stream to decide its kind; return it and the whole stream."""
    iterator = aiter(chunks)
    head = bytearray()
    async for chunk in iterator:
        head += chunk
        if len(head) >= sniff_bytes:
            break
    kind = check_content_type(item_number, bytes(head[:sniff_bytes]), filename)

    async def replay() -> AsyncIterator[bytes]:
        if head:
            yield bytes(head)
        async for chunk in iterator:
            yield chunk

    return kind, replay()
