"""Content types: the kind from real files' bytes, per-item rules, the streamed check."""

from __future__ import annotations

import asyncio
import codecs
import io
import zipfile
from collections.abc import AsyncIterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pifai.core.errors import UnsupportedMediaType, ValidationFailed
from pifai.services.pif.uploads import (
    ALLOWED_TYPES_BY_ITEM,
    SNIFF_BYTES,
    FileKind,
    check_content_type,
    check_upload,
    mime_type,
    sniff_content_type,
)
from tests.factories.files import aiter_of, collect, docx_file, image, pdf, pieces, xlsx

# --- real sample files ---------------------------------------------------------------------


def make_excel_ordered_xlsx() -> bytes:
    # Excel itself writes [Content_Types].xml first (openpyxl writes it last).
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("_rels/.rels", "<Relationships/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    return out.getvalue()


PDF = pdf()
XLSX = xlsx()
DOCX = docx_file()
PNG = image("PNG")
JPEG = image("JPEG")
TIFF = image("TIFF")
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


# --- the streamed check --------------------------------------------------------------------


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
