"""Attached PDFs: checked before rendering (a corrupt or password-protected file is
reported, not fatal) and drawn into their placeholder pages after it.

Each attachment is read from its own temporary file, one at a time: pypdf reads objects
lazily from the file, so the attachments are never all in memory at once."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from pypdf import PdfReader, PdfWriter, Transformation
from pypdf.errors import PdfReadError

from pifai.ai.pif_document.model import Attachment
from pifai.ai.pif_document.render import Placeholder

MAX_ATTACHED_PAGES = 500

# pypdf logs every recoverable oddity of a damaged file; the document reports them instead.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def inspect_pdf(path: Path) -> tuple[int, str | None]:
    """(pages, None) for a PDF that can be embedded, else (0, the reason in Chinese)."""
    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            try:
                # An empty user password (owner-only restrictions) still opens.
                opened = bool(reader.decrypt(""))
            except Exception:
                opened = False
            if not opened:
                return 0, "檔案受密碼保護（已加密），無法開啟"
        pages = len(reader.pages)
        if pages == 0:
            return 0, "檔案沒有頁面"
        if pages > MAX_ATTACHED_PAGES:
            return 0, f"頁數過多（{pages} 頁，上限 {MAX_ATTACHED_PAGES} 頁）"
        for page in reader.pages:
            # Reading each page's box and content stream finds damage before rendering.
            _ = page.mediabox.width
            page.get_contents()
        return pages, None
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        return 0, f"檔案損毀或不是有效的 PDF（{type(exc).__name__}）"
    except Exception as exc:  # pypdf raises many kinds on damaged input
        return 0, f"檔案無法讀取（{type(exc).__name__}）"


def _fit(
    left: float,
    bottom: float,
    page_width: float,
    page_height: float,
    box: tuple[float, float, float, float],
) -> Transformation:
    """Scale the page (never up) into the box, centred, top-aligned under the header."""
    x, y, width, height = box
    scale = min(width / page_width, height / page_height, 1.0)
    dx = x + (width - page_width * scale) / 2
    dy = y + height - page_height * scale
    return Transformation().translate(-left, -bottom).scale(scale, scale).translate(dx, dy)


def overlay(
    rendered: Path,
    target: Path,
    placeholders: Iterable[Placeholder],
    attachments: dict[int, list[Attachment]],
) -> None:
    """Write ``rendered`` with each attached page drawn under its placeholder's header,
    footer and watermark, to ``target``."""
    writer = PdfWriter(clone_from=rendered)
    by_file: dict[tuple[int, int], list[Placeholder]] = {}
    for placeholder in placeholders:
        by_file.setdefault((placeholder.item, placeholder.attachment), []).append(placeholder)
    for (item, number), spots in sorted(by_file.items()):
        embedded = [a for a in attachments.get(item, []) if a.kind == "pdf" and a.embedded]
        source = embedded[number - 1]
        assert source.path is not None
        reader = PdfReader(source.path)
        if reader.is_encrypted:
            reader.decrypt("")
        for spot in spots:
            page = reader.pages[spot.page]
            if page.rotation:
                # A rotated page is turned upright first (pypdf does this on a writer's page).
                page = PdfWriter().add_page(page)
                page.transfer_rotation_to_content()
            box = page.mediabox
            fit = _fit(
                float(box.left), float(box.bottom), float(box.width), float(box.height), spot.box
            )
            writer.pages[spot.page_index].merge_transformed_page(page, fit, over=False)
        del reader
    with target.open("wb") as handle:
        writer.write(handle)
