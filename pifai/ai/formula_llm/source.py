"""Which files go to the model, and each as the content block the Messages API takes."""

from __future__ import annotations

import base64
import io
from typing import Literal

from anthropic.types import ContentBlockParam, DocumentBlockParam, ImageBlockParam

from pifai.ai.document_parser import MAX_INPUT_BYTES, FormulaParseError, sniff_format
from pifai.ai.formula_llm.errors import LlmExtractionError

LlmInput = Literal["image", "pdf"]
ImageMedia = Literal["image/jpeg", "image/png", "image/gif", "image/webp"]

# The Messages API refuses larger images; PDFs are bounded by the parser's input limit.
MAX_IMAGE_BYTES = 5 * 1024 * 1024

_IMAGE_TYPES: tuple[tuple[bytes, ImageMedia], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
_TIFF_MAGIC = (b"II*\x00", b"MM\x00*")


def llm_input_kind(data: bytes) -> LlmInput | None:
    """ "image" or "pdf" when the bytes are something the model can look at."""
    kind = sniff_format(data)
    return kind if kind in ("image", "pdf") else None


def llm_can_read(data: bytes, error: FormulaParseError) -> bool:
    """Whether a parser failure is worth an LLM call.

    Images always are (no OCR engine, or OCR found no table). A PDF is when the parser
    opened it and found no formula in it (a scan without a text layer, a layout it does
    not know); a PDF it could not open at all (encrypted, damaged: the error has a cause)
    or an oversized file is not sent.
    """
    kind = llm_input_kind(data)
    if kind is None or not data or len(data) > MAX_INPUT_BYTES:
        return False
    return kind == "image" or error.__cause__ is None


def _image_media(data: bytes) -> tuple[ImageMedia, bytes]:
    for magic, media_type in _IMAGE_TYPES:
        if data.startswith(magic):
            return media_type, data
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "image/webp", data
    if data.startswith(_TIFF_MAGIC):
        return "image/png", _tiff_to_png(data)
    raise LlmExtractionError("The image format is not one the LLM accepts (PNG, JPEG, GIF, WebP).")


def _tiff_to_png(data: bytes) -> bytes:
    """The Messages API takes no TIFF: its first page is sent as PNG (Pillow comes with
    pdfplumber; its decompression-bomb guard bounds the pixels)."""
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as image:
            out = io.BytesIO()
            image.convert("RGB").save(out, format="PNG")
            return out.getvalue()
    except Exception as exc:  # Pillow raises many types on damaged or hostile files
        raise LlmExtractionError(
            "The TIFF image could not be converted for the LLM; upload it as PNG or JPEG.",
            details={"reason": type(exc).__name__},
        ) from exc


def source_block(data: bytes) -> tuple[LlmInput, ContentBlockParam]:
    """The file as an image or document content block (base64)."""
    kind = llm_input_kind(data)
    if kind == "pdf":
        document: DocumentBlockParam = {
            "type": "document",
            "source": {
                "type": "base64",
                "media_type": "application/pdf",
                "data": base64.standard_b64encode(data).decode("ascii"),
            },
        }
        return "pdf", document
    if kind == "image":
        media_type, body = _image_media(data)
        if len(body) > MAX_IMAGE_BYTES:
            raise LlmExtractionError(
                f"The image is {len(body) / (1024 * 1024):.1f} MB; the LLM accepts images up "
                f"to {MAX_IMAGE_BYTES // (1024 * 1024)} MB. Upload a smaller photo or the "
                "formula as an Excel or CSV file."
            )
        image: ImageBlockParam = {
            "type": "image",
            "source": {
                "type": "base64",
                "media_type": media_type,
                "data": base64.standard_b64encode(body).decode("ascii"),
            },
        }
        return "image", image
    raise LlmExtractionError("Only images and PDFs can be read by the LLM.")
