"""Upload checks: type from real files' bytes, per-item rules, size guard, names, headers."""

from __future__ import annotations

import asyncio
import codecs
import io
import os
import unicodedata
import zipfile
from collections.abc import AsyncIterator, Iterable
from email.message import Message
from urllib.parse import unquote

import docx
import httpx
import openpyxl
import pytest
from fpdf import FPDF
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from pifai.core.errors import PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from pifai.services.uploads import (
    ALLOWED_TYPES_BY_ITEM,
    SNIFF_BYTES,
    FileKind,
    StreamDigest,
    check_content_length,
    check_content_type,
    check_upload,
    content_disposition,
    display_name,
    limit_stream,
    mime_type,
    open_multipart_file,
    safe_storage_name,
    sniff_content_type,
)

MB = 1024 * 1024


# --- real sample files ---------------------------------------------------------------------


def make_pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(text="Formula")
    return bytes(pdf.output())


def make_xlsx() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["INCI", "%"])
    ws.append(["Aqua", 70])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def make_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("Manufacturing process")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_image(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 10, 10)).save(out, format=fmt)
    return out.getvalue()


def make_excel_ordered_xlsx() -> bytes:
    # Excel itself writes [Content_Types].xml first (openpyxl writes it last).
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("_rels/.rels", "<Relationships/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    return out.getvalue()


PDF = make_pdf()
XLSX = make_xlsx()
DOCX = make_docx()
PNG = make_image("PNG")
JPEG = make_image("JPEG")
TIFF = make_image("TIFF")
CSV_UTF8 = "INCI,CAS,濃度%\nAqua,7732-18-5,70.5\nGlycerin,56-81-5,5\n".encode()
CSV_BIG5 = "成分,含量\n水,70.5\n甘油,5\n".encode("cp950")
CSV_UTF8_BOM = codecs.BOM_UTF8 + CSV_UTF8
TSV_UTF16 = "INCI\tpercent\nAqua\t70\n".encode("utf-16")
CSV_SEMICOLON = b"INCI;percent\nAqua;70,5\nGlycerin;5\n"
TEXT = "本產品無不良反應紀錄。\nNo adverse reactions were reported.\n".encode()
ONE_COLUMN = b"Aqua\nGlycerin\nPhenoxyethanol\n"


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (PDF, FileKind.pdf),
        (XLSX, FileKind.xlsx),
        (make_excel_ordered_xlsx(), FileKind.xlsx),
        (DOCX, FileKind.docx),
        (PNG, FileKind.png),
        (JPEG, FileKind.jpeg),
        (TIFF, FileKind.tiff),
        (CSV_UTF8, FileKind.csv),
        (CSV_BIG5, FileKind.csv),
        (CSV_UTF8_BOM, FileKind.csv),
        (TSV_UTF16, FileKind.csv),
        (CSV_SEMICOLON, FileKind.csv),
        (TEXT, FileKind.text),
        (ONE_COLUMN, FileKind.text),
    ],
)
def test_sniff_real_files(data: bytes, kind: FileKind) -> None:
    assert sniff_content_type(data[:SNIFF_BYTES]) is kind


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("xl/notreally.txt", "x")  # office-like name, but no package markers
    return out.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        b"",
        plain_zip(),
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500,  # legacy .xls/.doc
        b"GIF89a" + b"\x00" * 100,
        b"MZ\x90\x00" + b"\x00" * 100,  # Windows executable
        bytes(range(256)) * 4,  # binary noise
        b"text with a \x1b[31m terminal escape\n",
    ],
)
def test_sniff_refuses_other_content(data: bytes) -> None:
    assert sniff_content_type(data) is None


def test_sniff_tolerates_a_head_cut_inside_a_character() -> None:
    data = ("成分,含量\n" * 20000).encode()
    head = data[:SNIFF_BYTES]
    assert not head.decode("utf-8", "ignore").encode() == head  # really cut mid-character
    assert sniff_content_type(head) is FileKind.csv


def test_sniff_ignores_extension_because_it_has_none() -> None:
    # The same bytes give the same answer whatever the caller thinks the file is.
    assert sniff_content_type(PNG) is FileKind.png


def test_item_rules() -> None:
    assert set(ALLOWED_TYPES_BY_ITEM) == set(range(1, 17))
    item3 = {k.value for k in ALLOWED_TYPES_BY_ITEM[3]}
    assert {"xlsx", "csv", "pdf", "docx", "png", "jpeg", "tiff"} <= item3
    assert {k.value for k in ALLOWED_TYPES_BY_ITEM[4]} == {"pdf", "png", "jpeg", "tiff"}
    for report in (11, 12, 13, 14):
        assert {"pdf", "png", "jpeg", "docx"} <= {k.value for k in ALLOWED_TYPES_BY_ITEM[report]}
        assert FileKind.xlsx not in ALLOWED_TYPES_BY_ITEM[report]


def test_check_accepts_allowed_content() -> None:
    assert check_content_type(3, XLSX, "配方表.xlsx") is FileKind.xlsx
    assert check_content_type(3, CSV_BIG5, "formula.csv") is FileKind.csv
    assert check_content_type(4, JPEG, "label.JPG") is FileKind.jpeg
    assert check_content_type(4, PNG, "label") is FileKind.png  # no extension: bytes decide
    assert check_content_type(3, ONE_COLUMN, "inci.csv") is FileKind.text


def test_disallowed_type_for_item_is_415_naming_both() -> None:
    with pytest.raises(UnsupportedMediaType) as info:
        check_content_type(4, XLSX, "label.xlsx")
    err = info.value
    assert err.status_code == 415
    assert "XLSX" in err.message
    assert "jpeg, pdf, png, tiff" in err.message
    assert err.details["detected"] == "xlsx"
    assert err.details["allowed"] == ["jpeg", "pdf", "png", "tiff"]


def test_xlsx_that_is_really_a_png_is_415() -> None:
    with pytest.raises(UnsupportedMediaType, match=r"named \.xlsx but its content is PNG"):
        check_content_type(3, PNG, "formula.xlsx")


def test_unknown_content_is_415_with_a_useful_description() -> None:
    with pytest.raises(UnsupportedMediaType, match="legacy Office"):
        check_content_type(3, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "f.xls")
    with pytest.raises(UnsupportedMediaType, match="image/gif"):
        check_content_type(4, b"GIF89a" + b"\x00" * 100, "label.gif")
    with pytest.raises(UnsupportedMediaType, match="empty file"):
        check_content_type(4, b"", "label.pdf")


def test_unknown_item_is_a_validation_error() -> None:
    with pytest.raises(ValidationFailed):
        check_content_type(17, PDF)


def test_mime_types() -> None:
    assert mime_type(FileKind.pdf) == "application/pdf"
    assert mime_type(FileKind.xlsx).endswith("spreadsheetml.sheet")
    assert all(mime_type(k) for k in FileKind)


# --- streaming checks ----------------------------------------------------------------------


async def aiter_of(parts: Iterable[bytes]) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def collect(chunks: AsyncIterator[bytes]) -> bytes:
    return b"".join([c async for c in chunks])


def pieces(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


@settings(max_examples=60, deadline=None)
@given(size=st.integers(1, 5000), extra=st.binary(max_size=3 * SNIFF_BYTES // 2))
def test_check_upload_replays_the_whole_stream(size: int, extra: bytes) -> None:
    data = PDF + extra

    async def go() -> tuple[FileKind, bytes]:
        kind, stream = await check_upload(aiter_of(pieces(data, size)), 11, "report.pdf")
        return kind, await collect(stream)

    assert asyncio.run(go()) == (FileKind.pdf, data)


async def test_check_upload_refuses_after_reading_only_the_head() -> None:
    consumed = 0

    async def source() -> AsyncIterator[bytes]:
        nonlocal consumed
        for i in range(1000):
            consumed += 1
            yield PNG if i == 0 else b"\x00" * 1024

    with pytest.raises(UnsupportedMediaType):
        await check_upload(source(), 16, "assessment.png")
    assert consumed <= SNIFF_BYTES // 1024 + 1


async def test_limit_stream_passes_up_to_the_limit() -> None:
    data = b"x" * 1000
    assert await collect(limit_stream(aiter_of(pieces(data, 7)), 1000)) == data


async def test_limit_stream_stops_as_soon_as_the_limit_is_crossed() -> None:
    chunk = b"\x00" * MB
    consumed = 0
    passed = 0

    async def body() -> AsyncIterator[bytes]:  # a 60 MB upload
        nonlocal consumed
        for _ in range(60):
            consumed += 1
            yield chunk

    with pytest.raises(PayloadTooLarge) as info:
        async for piece in limit_stream(body(), 50 * MB):
            passed += len(piece)
    assert consumed == 51  # stopped at the chunk that crossed 50 MB, the rest never read
    assert passed == 50 * MB
    assert info.value.status_code == 413
    assert "50 MB" in info.value.message
    assert info.value.details == {"max_bytes": 50 * MB}


async def test_limit_stream_one_byte_over() -> None:
    with pytest.raises(PayloadTooLarge):
        await collect(limit_stream(aiter_of([b"a" * 10, b"b"]), 10))


def test_check_content_length() -> None:
    check_content_length(None, 50 * MB)
    check_content_length("garbage", 50 * MB)
    check_content_length(str(50 * MB + 1000), 50 * MB)  # multipart envelope allowance
    with pytest.raises(PayloadTooLarge):
        check_content_length(str(51 * MB), 50 * MB)


async def test_stream_digest() -> None:
    import hashlib

    digest = StreamDigest()
    data = b"formula bytes" * 1000
    assert await collect(digest.wrap(aiter_of(pieces(data, 333)))) == data
    assert digest.size == len(data)
    assert digest.sha256 == hashlib.sha256(data).hexdigest()


# --- names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\Windows\\System32\\cmd.exe", "cmd.exe"),
        ("/abs/path/報告.pdf", "報告.pdf"),
        ("a\x00b\r\nc\x7f.pdf", "abc.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),  # RTL override removed
        ("配方表 v2.xlsx", "配方表 v2.xlsx"),
        ("e\u0301tude.pdf", "\u00e9tude.pdf"),  # NFC
        ('a<b>:c"d|e?f*g.pdf', "a_b__c_d_e_f_g.pdf"),
        ("CON", "_CON"),
        ("nul.txt", "_nul.txt"),
        ("Lpt1.csv", "_Lpt1.csv"),
        ("..", "file"),
        ("...", "file"),
        ("", "file"),
        ("   ", "file"),
        (".bashrc", "bashrc"),
        ("report. ", "report"),
        ("a\u3000b\tc.pdf", "a b c.pdf"),  # ideographic space and tab become spaces
    ],
)
def test_safe_storage_name(original: str, expected: str) -> None:
    assert safe_storage_name(original) == expected


def test_long_names_keep_their_extension() -> None:
    name = safe_storage_name("成" * 200 + ".xlsx")
    assert name.endswith(".xlsx")
    assert len(name.encode()) <= 255
    assert name.startswith("成")


@settings(max_examples=300)
@given(st.text())
def test_safe_storage_name_properties(original: str) -> None:
    name = safe_storage_name(original)
    assert name
    assert name not in (".", "..")
    assert not any(c in name for c in '/\\<>:"|?*')
    assert not any(unicodedata.category(c) in ("Cc", "Cf", "Cs") for c in name)
    assert len(name.encode()) <= 255
    assert not name.startswith(".") and not name.endswith((".", " "))
    assert unicodedata.is_normalized("NFC", name)
    assert safe_storage_name(name) == name


def test_display_name_keeps_what_storage_names_cannot() -> None:
    assert display_name('../x/Q&A: "final"?.pdf') == 'Q&A: "final"?.pdf'
    assert display_name("配方\r\n表.xlsx") == "配方表.xlsx"


def parse_filename(header: str) -> str | None:
    """The RFC 5987 name decoded by the stdlib's RFC 2231 parser (independent of our code).

    The stdlib returns the first ``filename`` parameter, so the ASCII fallback is removed;
    RFC 6266 clients prefer ``filename*`` anyway."""
    disposition, fallback, extended = header.split("; ")
    assert fallback.startswith('filename="')
    message = Message()
    message["Content-Disposition"] = f"{disposition}; {extended}"
    return message.get_filename()


def test_chinese_name_round_trips_in_content_disposition() -> None:
    header = content_disposition("產品配方表（機密）.xlsx")
    assert header.startswith("attachment; ")
    assert header.isascii()
    assert "filename*=UTF-8''" in header
    assert parse_filename(header) == "產品配方表（機密）.xlsx"
    fallback = header.split('filename="', 1)[1].split('"', 1)[0]
    assert fallback == "download.xlsx"


def test_content_disposition_ascii_fallback() -> None:
    header = content_disposition('Résumé "v2"; 配方.pdf')
    fallback = header.split('filename="', 1)[1].split('"; filename*', 1)[0]
    assert fallback == "Resume _v2.pdf"
    assert parse_filename(header) == 'Résumé "v2"; 配方.pdf'
    assert content_disposition("a.pdf", disposition="inline").startswith("inline; ")
    with pytest.raises(ValueError):
        content_disposition("a.pdf", disposition="attachment; evil=1")


def test_content_disposition_neutralises_injection() -> None:
    header = content_disposition('x.pdf"\r\nSet-Cookie: a=b')
    assert "\r" not in header and "\n" not in header
    assert header.count('"') == 2


@settings(max_examples=300)
@given(st.text(min_size=1))
def test_content_disposition_round_trips_any_name(original: str) -> None:
    header = content_disposition(original)
    assert header.isascii()
    assert "\r" not in header and "\n" not in header
    encoded = header.split("filename*=UTF-8''", 1)[1]
    assert all(c.isalnum() or c in "!#$&+-.^_`|~%" for c in encoded)
    assert unquote(encoded, encoding="utf-8", errors="strict") == display_name(original)


# --- streaming multipart -------------------------------------------------------------------


def multipart(
    fields: dict[str, str], filename: str, content: bytes, mime: str = "application/pdf"
) -> tuple[bytes, str]:
    """A real multipart body and Content-Type, built by httpx (independent of our parser)."""
    request = httpx.Request(
        "POST", "http://test/upload", data=fields, files={"file": (filename, content, mime)}
    )
    return request.read(), request.headers["content-type"]


async def test_multipart_streams_the_file_with_fields_before_it() -> None:
    content = PDF + os.urandom(300_000)
    body, ctype = multipart({"item_number": "3", "note": "第二版"}, "配方表.pdf", content)
    upload = await open_multipart_file(aiter_of(pieces(body, 4096)), ctype)
    assert upload.fields == {"item_number": "3", "note": "第二版"}
    assert upload.filename == "配方表.pdf"
    assert upload.content_type == "application/pdf"
    assert await collect(upload.chunks) == content


@settings(max_examples=40, deadline=None)
@given(size=st.integers(1, 3000), content=st.binary(max_size=5000))
def test_multipart_any_chunking(size: int, content: bytes) -> None:
    body, ctype = multipart({"item_number": "11"}, "r.pdf", content)

    async def go() -> tuple[dict[str, str], bytes]:
        upload = await open_multipart_file(aiter_of(pieces(body, size)), ctype)
        return upload.fields, await collect(upload.chunks)

    assert asyncio.run(go()) == ({"item_number": "11"}, content)


async def test_multipart_51_mb_is_refused_after_the_limit_not_at_the_end() -> None:
    content = b"\x00" * (51 * MB)
    body, ctype = multipart({"item_number": "3"}, "big.pdf", content)
    read = 0

    async def request_stream() -> AsyncIterator[bytes]:
        nonlocal read
        for piece in pieces(body, MB):
            read += len(piece)
            yield piece

    upload = await open_multipart_file(request_stream(), ctype)
    with pytest.raises(PayloadTooLarge):
        await collect(limit_stream(upload.chunks, 50 * MB))
    assert read < len(body)
    assert read <= 50 * MB + 2 * MB


async def test_multipart_cut_off_body_fails_instead_of_ending_the_file() -> None:
    body, ctype = multipart({}, "r.pdf", PDF)
    upload = await open_multipart_file(aiter_of([body[: len(body) - 60]]), ctype)
    with pytest.raises(ValidationFailed, match="ended before"):
        await collect(upload.chunks)


async def test_multipart_errors() -> None:
    body, ctype = multipart({"item_number": "3"}, "r.pdf", PDF)
    with pytest.raises(UnsupportedMediaType):
        await open_multipart_file(aiter_of([body]), "application/json")
    with pytest.raises(ValidationFailed, match="no file"):
        await open_multipart_file(aiter_of([body]), ctype, file_field="document")
    with pytest.raises(ValidationFailed, match="too long"):
        await open_multipart_file(aiter_of([body]), ctype, max_field_bytes=0)
    with pytest.raises(ValidationFailed):
        await open_multipart_file(aiter_of([b"garbage without boundaries"]), ctype)


async def test_multipart_then_checks_end_to_end() -> None:
    body, ctype = multipart({"item_number": "3"}, "formula.xlsx", PNG, "image/png")
    upload = await open_multipart_file(aiter_of(pieces(body, 1000)), ctype)
    stream = limit_stream(upload.chunks, 50 * MB)
    with pytest.raises(UnsupportedMediaType, match=r"named \.xlsx but its content is PNG"):
        await check_upload(stream, int(upload.fields["item_number"]), upload.filename)
