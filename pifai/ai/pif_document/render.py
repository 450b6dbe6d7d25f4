"""HTML to PDF: the Jinja2 templates (pifai/templates/pif/) rendered by WeasyPrint, A4, in
Traditional Chinese with the Noto Sans TC font the project installs (the Python package
``justmytype-intl-cjk``), embedded as a subset.

Each attached PDF page gets a placeholder page in the HTML (with the header, footer and
watermark every page has), so the table of contents, the bookmarks and "page X of Y"
count the attached pages; :mod:`pifai.ai.pif_document.attach` then draws the attached
page into the placeholder's body. The PDF's dates and file identifier come from the data,
so the same data gives the same bytes."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import jinja2
from markupsafe import Markup
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from pifai.ai.pif_document.model import DocumentData
from pifai.ai.pif_document.view import context

MM = 72 / 25.4  # points per millimetre
PAGE_MM = (210.0, 297.0)
MARGIN_MM = {"top": 18.0, "side": 15.0, "bottom": 16.0}
CAPTION_MM = 7.0  # the attachment's title line above the first attached page
BODY_MM = (
    PAGE_MM[0] - 2 * MARGIN_MM["side"],
    PAGE_MM[1] - MARGIN_MM["top"] - MARGIN_MM["bottom"],
)
FONT_PACKAGE = "justmytype_intl_cjk"
FONT_FILE = "fonts/ofl/notosanstc/NotoSansTC[wght].ttf"
# Names read from simplified-Chinese sources (IECIC) may hold characters Noto Sans TC lacks.
FALLBACK_FONT_FILE = "fonts/ofl/notosanssc/NotoSansSC[wght].ttf"


# fontTools stamps each font subset's head.modified with the clock unless SOURCE_DATE_EPOCH
# (the reproducible-builds convention, https://reproducible-builds.org/specs/source-date-epoch/)
# is set; pinned (2020-01-01, the font package's file date) so the same data gives the same
# bytes. Not configuration: nothing else reads it.
FONT_EPOCH = "1577836800"


class FontMissing(RuntimeError):
    """The CJK font package is not installed (``make install`` installs it)."""


def font_path(name: str = FONT_FILE) -> Path:
    path = Path(str(resources.files(FONT_PACKAGE).joinpath(name)))
    if not path.is_file():
        raise FontMissing(f"{name} not found in the {FONT_PACKAGE} package")
    return path


def _cache_dir() -> Path:
    return Path(tempfile.gettempdir()) / "pifai-fonts"


@cache
def static_font(name: str, weight: int) -> Path:
    """A static instance of the package's variable font at ``weight``, made once per
    machine (cached in the temporary folder): WeasyPrint would otherwise instance the
    whole variable font (tens of thousands of glyphs) in every document, for seconds."""
    source = font_path(name)
    target = _instance_path(name, weight)
    if target.is_file():
        return target
    from fontTools.ttLib import TTFont
    from fontTools.varLib.instancer import instantiateVariableFont

    target.parent.mkdir(parents=True, exist_ok=True)
    font = instantiateVariableFont(TTFont(source), {"wght": weight})
    temporary = target.with_suffix(f".{os.getpid()}.tmp")
    font.save(temporary)
    os.replace(temporary, target)
    return target


# The instances the document uses (regular, bold, the simplified-Chinese fallback).
FONT_INSTANCES = ((FONT_FILE, 400), (FONT_FILE, 700), (FALLBACK_FONT_FILE, 400))


def _instance_path(name: str, weight: int) -> Path:
    source = font_path(name)
    stat = source.stat()
    key = hashlib.sha256(
        f"{source}:{stat.st_size}:{stat.st_mtime_ns}:{weight}".encode()
    ).hexdigest()
    return _cache_dir() / f"{source.stem.split('[')[0]}-{weight}-{key[:16]}.ttf"


def fonts_cached() -> bool:
    return all(_instance_path(name, weight).is_file() for name, weight in FONT_INSTANCES)


def warm_fonts() -> None:
    """Make the static instances now (`make install` and `pifai demo` call it), so the
    first document does not wait for them."""
    for name, weight in FONT_INSTANCES:
        static_font(name, weight)


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("pifai", "templates/pif"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=False,
    )


@dataclass(frozen=True)
class Placeholder:
    """Where one attached page goes: the PDF page index and the body box (points)."""

    page_index: int
    item: int
    attachment: int  # 1-based among the item's embedded PDFs
    page: int  # 0-based page of the attachment
    box: tuple[float, float, float, float]  # x, y (bottom-left), width, height


@dataclass(frozen=True)
class Rendered:
    pages: int
    placeholders: list[Placeholder]


def render_html(data: DocumentData, item_names: dict[int, tuple[str, str]]) -> str:
    env = _environment()
    values = context(data, item_names, static_font(FONT_FILE, 400).as_uri())
    layout = {
        "margin": MARGIN_MM,
        "caption_mm": CAPTION_MM,
        "body_height_mm": BODY_MM[1] - 1.0,
    }
    # The stylesheet is ours (not user data): inserted as is.
    css = Markup(  # noqa: S704
        env.get_template("pif.css").render(
            font_url=values["font_url"],
            bold_font_url=static_font(FONT_FILE, 700).as_uri(),
            fallback_font_url=static_font(FALLBACK_FONT_FILE, 400).as_uri(),
            **layout,
        )
    )
    return env.get_template("document.html.j2").render(css=css, **values, **layout)


def _box(first: bool) -> tuple[float, float, float, float]:
    top = MARGIN_MM["top"] + (CAPTION_MM if first else 0.0)
    height = PAGE_MM[1] - top - MARGIN_MM["bottom"]
    return (MARGIN_MM["side"] * MM, MARGIN_MM["bottom"] * MM, BODY_MM[0] * MM, height * MM)


def render_pdf(
    data: DocumentData, item_names: dict[int, tuple[str, str]], target: Path
) -> Rendered:
    """Write the document (without the attached pages' content) to ``target``."""
    os.environ.setdefault("SOURCE_DATE_EPOCH", FONT_EPOCH)
    html = render_html(data, item_names)
    # Only local files (the fonts, the attached images' temporary copies): a document
    # never fetches from the network, whatever its data says.
    fetcher = URLFetcher(allowed_protocols=("file",))
    document = HTML(string=html, base_url=str(font_path().parent), url_fetcher=fetcher).render()
    placeholders = []
    for index, page in enumerate(document.pages):
        for anchor in page.anchors:
            if anchor.startswith("att-"):
                _, item, attachment, number = anchor.split("-")
                placeholders.append(
                    Placeholder(index, int(item), int(attachment), int(number), _box(number == "0"))
                )
    # The file identifier: a hash of the HTML, so it changes exactly when the content does.
    identifier = hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode("ascii")
    document.write_pdf(target, pdf_identifier=identifier)
    return Rendered(len(document.pages), sorted(placeholders, key=lambda p: p.page_index))
