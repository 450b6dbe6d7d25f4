"""Which files go to the model, and how each is sent."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest
from fpdf import FPDF
from PIL import Image

from pifai.ai.document_parser import FormulaParseError, parse_formula
from pifai.ai.formula_llm import (
    LlmExtractionError,
    llm_can_read,
)
from pifai.core.config import Settings
from tests.unit.fake_messages_api import (
    PNG,
    FakeApi,
    llm_settings,
    message,
    run_extraction,
    submitted_row,
    tool_use,
)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return llm_settings(tmp_path)


async def test_oversized_image_is_refused_before_any_request(settings: Settings) -> None:
    api = FakeApi()
    big = PNG + b"\x00" * (5 * 1024 * 1024)
    with pytest.raises(LlmExtractionError, match="up to 5 MB"):
        await run_extraction(settings, api, big)
    assert api.requests == []


def _scan_pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(10, 10, 50, 20)  # drawn, no text layer: what a scanner produces
    return bytes(pdf.output())


def _prose_pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Our lovely cream makes you happy.")
    return bytes(pdf.output())


def _parse_error(data: bytes) -> FormulaParseError:
    with pytest.raises(FormulaParseError) as caught:
        parse_formula(data, "x")
    return caught.value


def test_which_parser_failures_go_to_the_llm() -> None:
    assert llm_can_read(PNG, _parse_error(PNG))
    assert llm_can_read(_scan_pdf(), _parse_error(_scan_pdf()))
    assert llm_can_read(_prose_pdf(), _parse_error(_prose_pdf()))
    damaged = b"%PDF-1.4\n" + b"\x00garbage" * 50
    assert not llm_can_read(damaged, _parse_error(damaged))
    text = b"just some words"
    assert not llm_can_read(text, _parse_error(text))


async def test_pdf_goes_as_a_document_block(settings: Settings) -> None:
    pdf = _scan_pdf()
    api = FakeApi(
        message(tool_use("submit_rows", rows=[submitted_row("Water", "100", None, None)]))
    )
    parsed = await run_extraction(settings, api, pdf)
    assert parsed.format == "pdf"
    block = api.bodies[0]["messages"][0]["content"][0]
    assert block["type"] == "document"
    assert block["source"]["media_type"] == "application/pdf"
    assert base64.standard_b64decode(block["source"]["data"]) == pdf


async def test_tiff_is_sent_as_png_and_jpeg_as_jpeg(settings: Settings) -> None:
    def encoded(fmt: str) -> bytes:
        out = io.BytesIO()
        Image.new("RGB", (40, 20), "white").save(out, format=fmt)
        return out.getvalue()

    seen: list[str] = []
    for fmt, media in (("TIFF", "image/png"), ("JPEG", "image/jpeg")):
        api = FakeApi(
            message(tool_use("submit_rows", rows=[submitted_row("Water", "100", None, None)]))
        )
        await run_extraction(settings, api, encoded(fmt))
        source = api.bodies[0]["messages"][0]["content"][0]["source"]
        assert source["media_type"] == media
        seen.append(source["media_type"])
        if fmt == "TIFF":
            assert base64.standard_b64decode(source["data"]).startswith(b"\x89PNG")
    assert seen == ["image/png", "image/jpeg"]
