"""Uploaded files for tests: real sample documents, byte streams, and the upload request."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Iterable, Sequence

import docx
import httpx
import openpyxl
from fpdf import FPDF
from PIL import Image

from tests.factories.auth import Tenant

FORMULA_ROWS: tuple[tuple[str, str, str], ...] = (
    ("INCI Name", "CAS", "%"),
    ("Water", "7732-18-5", "80"),
    ("Glycerin", "56-81-5", "20"),
)


def pdf(line: str = "Formula") -> bytes:
    """A one-page PDF whose text is ``line``."""
    document = FPDF()
    document.add_page()
    document.set_font("helvetica", size=12)
    document.cell(text=line)
    return bytes(document.output())


def xlsx(rows: Sequence[Sequence[object]] = FORMULA_ROWS) -> bytes:
    """A workbook as openpyxl writes it, one sheet of ``rows``."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def docx_file(text: str = "Manufacturing process") -> bytes:
    """A Word document of one paragraph."""
    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def image(fmt: str = "PNG") -> bytes:
    """A small real image in ``fmt`` (a Pillow format name: PNG, JPEG, TIFF)."""
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 10, 10)).save(out, format=fmt)
    return out.getvalue()


async def aiter_of(parts: Iterable[bytes]) -> AsyncIterator[bytes]:
    """``parts`` as the async stream a request body or a storage read would be."""
    for part in parts:
        yield part


async def collect(chunks: AsyncIterator[bytes]) -> bytes:
    return b"".join([c async for c in chunks])


def pieces(data: bytes, size: int) -> list[bytes]:
    """``data`` cut into chunks of ``size`` bytes (the last one shorter)."""
    return [data[i : i + size] for i in range(0, len(data), size)]


async def upload(
    client: httpx.AsyncClient,
    tenant: Tenant,
    product_id: object,
    item: int,
    filename: str,
    data: bytes,
    content_type: str = "application/octet-stream",
) -> httpx.Response:
    """POST ``data`` as PIF item ``item``'s file through the upload route."""
    return await client.post(
        f"/api/v1/products/{product_id}/pif/upload",
        data={"item_number": str(item)},
        files={"file": (filename, data, content_type)},
        headers=tenant.headers,
    )
