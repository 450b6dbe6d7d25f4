"""Checks on uploaded files: size while streaming, type from the bytes, safe names.

Typical use in the upload route (``request: Request``, not ``UploadFile``, whose parsing
reads the whole body first)::

    check_content_length(request.headers.get("content-length"), settings.max_upload_bytes)
    upload = await open_multipart_file(request.stream(), request.headers.get("content-type"))
    item_number = int(upload.fields["item_number"])  # or from the URL; validate it
    stream = limit_stream(upload.chunks, settings.max_upload_bytes)     # 413 while reading
    kind, stream = await check_upload(stream, item_number, upload.filename)  # 415 (bytes)
    plain = StreamDigest()
    stream = plain.wrap(stream)                                         # SHA-256 of plaintext
    if needs_encryption(item_number):
        stream = encrypt_stream(stream, keyring)
    stored = await storage.put(object_key(org_id, product_id, item_number), stream)
    # record: kind, mime_type(kind), plain.sha256, plain.size, display_name(upload.filename),
    #         safe_storage_name(upload.filename), stored.sha256 (of the bytes at rest)

and for a download: ``headers={"Content-Disposition": content_disposition(name),
"X-Content-Type-Options": "nosniff"}`` with ``media_type=mime_type(kind)``.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import struct
import unicodedata
from collections.abc import AsyncIterable, AsyncIterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import quote

import filetype
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from pifai.core.errors import PayloadTooLarge, UnsupportedMediaType, ValidationFailed

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


# --- size ----------------------------------------------------------------------------------


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB"


async def limit_stream(chunks: AsyncIterable[bytes], max_bytes: int) -> AsyncIterator[bytes]:
    """Pass chunks through; raise PayloadTooLarge as soon as more than max_bytes arrived
    (the chunk that crosses the limit is not yielded, nothing after it is read)."""
    total = 0
    async for chunk in chunks:
        total += len(chunk)
        if total > max_bytes:
            raise PayloadTooLarge(
                f"The file is larger than the {_megabytes(max_bytes)} upload limit.",
                details={"max_bytes": max_bytes},
            )
        yield chunk


def check_content_length(header: str | None, max_bytes: int, *, overhead: int = 64 * 1024) -> None:
    """Refuse a request whose declared Content-Length already exceeds the limit (plus room
    for the multipart envelope) before reading any of it. A missing or lying header is
    still caught by :func:`limit_stream`."""
    if header is None:
        return
    try:
        declared = int(header)
    except ValueError:
        return
    if declared > max_bytes + overhead:
        raise PayloadTooLarge(
            f"The file is larger than the {_megabytes(max_bytes)} upload limit.",
            details={"max_bytes": max_bytes, "content_length": declared},
        )


# --- streaming multipart -------------------------------------------------------------------

# Starlette's ``request.form()`` reads and spools the whole body before the route runs, so a
# 51 MB upload is fully received before any limit applies. Parsing ``request.stream()`` here
# lets the size guard stop the request after the limit, and streams the file to storage.

MAX_FORM_FIELD_BYTES = 64 * 1024
MAX_FORM_FIELDS = 32

_Event = tuple[str, Any]


@dataclass
class MultipartFile:
    """The file part of a multipart/form-data body, reached without reading it.

    ``fields`` are the text fields sent *before* the file (browsers' FormData and
    ``curl -F`` keep the order they were given; put ``item_number`` first, or in the URL).
    ``chunks`` yields the file's bytes and raises ValidationFailed if the body ends before
    the file does, so a cut-off upload never looks complete. ``filename`` and
    ``content_type`` are as the client sent them: untrusted.
    """

    fields: dict[str, str]
    filename: str
    content_type: str | None
    chunks: AsyncIterator[bytes]


def _multipart_error(message: str) -> ValidationFailed:
    return ValidationFailed(message, code="invalid_multipart")


async def _multipart_events(body: AsyncIterator[bytes], boundary: bytes) -> AsyncIterator[_Event]:
    """("part", headers) / ("data", bytes) / ("end", None) events, parsed as the body
    arrives; raises if the body is malformed or ends before the closing boundary."""
    events: list[_Event] = []
    headers: dict[str, bytes] = {}
    field = bytearray()
    value = bytearray()
    ended = False

    def on_part_begin() -> None:
        headers.clear()

    def on_header_field(data: bytes, start: int, end: int) -> None:
        field.extend(data[start:end])

    def on_header_value(data: bytes, start: int, end: int) -> None:
        value.extend(data[start:end])

    def on_header_end() -> None:
        headers[field.decode("latin-1").lower()] = bytes(value)
        field.clear()
        value.clear()

    def on_headers_finished() -> None:
        events.append(("part", dict(headers)))

    def on_part_data(data: bytes, start: int, end: int) -> None:
        if end > start:
            events.append(("data", bytes(data[start:end])))

    def on_part_end() -> None:
        events.append(("end", None))

    def on_end() -> None:
        nonlocal ended
        ended = True

    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": on_part_begin,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
            "on_end": on_end,
        },
    )
    async for piece in body:
        try:
            parser.write(piece)
        except MultipartParseError as exc:
            raise _multipart_error(f"The multipart body is malformed: {exc}") from exc
        for event in events:
            yield event
        events.clear()
        if ended:
            return
    raise _multipart_error("The multipart body ended before its closing boundary.")


async def _file_chunks(events: AsyncIterator[_Event]) -> AsyncIterator[bytes]:
    async for kind, data in events:
        if kind == "data":
            yield data
        elif kind == "end":
            break
    async for _ in events:  # the rest of the body: checks the closing boundary
        pass


async def open_multipart_file(
    body: AsyncIterable[bytes],
    content_type: str | None,
    *,
    file_field: str = "file",
    max_field_bytes: int = MAX_FORM_FIELD_BYTES,
    max_fields: int = MAX_FORM_FIELDS,
) -> MultipartFile:
    """Parse ``request.stream()`` up to the start of the file part named ``file_field``."""
    mime, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if mime != b"multipart/form-data" or not boundary:
        raise UnsupportedMediaType(
            "The upload must be sent as multipart/form-data.",
            details={"content_type": content_type},
        )
    events = _multipart_events(aiter(body), boundary)
    fields: dict[str, str] = {}
    name = ""
    value = bytearray()
    async for kind, data in events:
        if kind == "part":
            _, options = parse_options_header(data.get("content-disposition"))
            name = options.get(b"name", b"").decode("utf-8", "replace")
            filename = options.get(b"filename")
            if name == file_field and filename is not None:
                declared = data.get("content-type")
                return MultipartFile(
                    fields=fields,
                    filename=filename.decode("utf-8", "replace"),
                    content_type=declared.decode("latin-1") if declared else None,
                    chunks=_file_chunks(events),
                )
            value.clear()
        elif kind == "data":
            value += data
            if len(value) > max_field_bytes:
                raise _multipart_error(f"The form field {name!r} is too long.")
        else:
            if len(fields) >= max_fields:
                raise _multipart_error("The form has too many fields.")
            fields[name] = value.decode("utf-8", "replace")
    raise _multipart_error(f"The form has no file in a field named {file_field!r}.")


class StreamDigest:
    """SHA-256 and size of the bytes that pass through :meth:`wrap` (the plaintext)."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()
        self.size = 0

    async def wrap(self, chunks: AsyncIterable[bytes]) -> AsyncIterator[bytes]:
        async for chunk in chunks:
            self._hash.update(chunk)
            self.size += len(chunk)
            yield chunk

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()


# --- names ---------------------------------------------------------------------------------

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
    name = name.strip(" ").lstrip(".").rstrip(" .")
    if _RESERVED.match(name):
        name = f"_{name}"
    name = _truncate(name, MAX_NAME_BYTES)
    return name or "file"


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
