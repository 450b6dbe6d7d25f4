"""The format from the bytes, and zip containers checked before they are opened."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest

from bench.fixtures.formula_corpus import (
    cream_lines,
    write_xlsx_merged,
)
from pifai.ai.document_parser import (
    FormulaParseError,
    parse_formula,
    sniff_format,
)


def test_format_comes_from_bytes_not_filename() -> None:
    data = write_xlsx_merged(cream_lines())
    assert parse_formula(data, "formula.csv").format == "xlsx"
    assert sniff_format(b"%PDF-1.7\n...") == "pdf"
    assert sniff_format(b"\x89PNG\r\n\x1a\n0000") == "image"
    assert sniff_format(b"INCI,%\nWater,80") == "text"


def test_zip_bomb_disguised_as_docx_is_refused_before_expanding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * (30 * 1024 * 1024))
    data = buf.getvalue()
    assert len(data) < 100_000
    # Every read of a member goes through ZipFile.open: record them.
    opened: list[object] = []
    real_open = zipfile.ZipFile.open

    def recording_open(self: zipfile.ZipFile, name: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(name)
        return real_open(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", recording_open)
    with pytest.raises(FormulaParseError, match="zip bomb"):
        parse_formula(data, "formula.docx")
    assert opened == []  # refused on the declared sizes: nothing was expanded


def test_zip_with_too_much_declared_content_is_refused() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"<w:document/>")
    # Forge the declared sizes in the central directory: a liar is still bounded.
    data = bytearray(buf.getvalue())
    central = data.rfind(b"PK\x01\x02")
    data[central + 24 : central + 28] = (400 * 1024 * 1024).to_bytes(4, "little")
    with pytest.raises(FormulaParseError):
        parse_formula(bytes(data), "formula.docx")


def test_legacy_or_protected_office_file_fails_clearly() -> None:
    with pytest.raises(FormulaParseError, match="xlsx"):
        parse_formula(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "formula.xls")


def test_zip_that_is_not_office_fails_clearly() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(FormulaParseError, match="neither"):
        parse_formula(buf.getvalue())
