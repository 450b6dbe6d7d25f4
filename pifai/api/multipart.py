"""Streaming multipart/form-data: the file part of an upload, reached without reading it.

Starlette's ``request.form()`` reads and spools the whole body before the route runs, so an
oversized upload is fully received before any limit applies. Parsing ``request.stream()``
here lets the size guard stop the request at the limit, and streams the file to storage.
The route uses ``request: Request``, not ``UploadFile``, for the same reason.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from pifai.core.errors import UnsupportedMediaType, ValidationFailed
from pifai.services.pif.uploads import too_large

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

MAX_FORM_FIELD_BYTES = 64 * 1024
MAX_FORM_FIELDS = 32

_Event = tuple[str, Any]


def check_content_length(header: str | None, max_bytes: int, *, overhead: int = 64 * 1024) -> None:
    """Refuse a request whose declared Content-Length already exceeds the limit (plus room
    for the multipart envelope) before reading any of it. A missing or lying header is
    still caught by :func:`pifai.services.pif.uploads.limit_stream`."""
    if header is None:
        return
    try:
        declared = int(header)
    except ValueError:
        return
    if declared > max_bytes + overhead:
        raise too_large(max_bytes, content_length=declared)


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


@dataclass
class _EventCollector:
    """The parser's callbacks, turned into events queued until the caller takes them."""

    events: list[_Event] = field(default_factory=list)
    ended: bool = False
    _headers: dict[str, bytes] = field(default_factory=dict)
    _field: bytearray = field(default_factory=bytearray)
    _value: bytearray = field(default_factory=bytearray)

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self._headers.clear,
            "on_header_field": self._header_field,
            "on_header_value": self._header_value,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
            "on_end": self._end,
        }

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._field.extend(data[start:end])

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value.extend(data[start:end])

    def _header_end(self) -> None:
        self._headers[self._field.decode("latin-1").lower()] = bytes(self._value)
        self._field.clear()
        self._value.clear()

    def _headers_finished(self) -> None:
        self.events.append(("part", dict(self._headers)))

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if end > start:
            self.events.append(("data", bytes(data[start:end])))

    def _part_end(self) -> None:
        self.events.append(("end", None))

    def _end(self) -> None:
        self.ended = True


async def _multipart_events(body: AsyncIterator[bytes], boundary: bytes) -> AsyncIterator[_Event]:
    """("part", headers) / ("data", bytes) / ("end", None) events, parsed as the body
    arrives; raises if the body is malformed or ends before the closing boundary."""
    collector = _EventCollector()
    parser = MultipartParser(boundary, collector.callbacks())
    async for piece in body:
        try:
            parser.write(piece)
        except MultipartParseError as exc:
            raise _multipart_error(f"The multipart body is malformed: {exc}") from exc
        for event in collector.events:
            yield event
        collector.events.clear()
        if collector.ended:
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
