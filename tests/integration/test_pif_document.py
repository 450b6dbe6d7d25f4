"""The PIF document: every item, the attached PDFs in place, Chinese text in an embedded
font, the DRAFT watermark on an unsigned document only, the same bytes from the same
data, and the PAdES signature of a signed version."""

from __future__ import annotations

import asyncio
import io
import re
from pathlib import Path
from typing import Any

import httpx
from pypdf import PdfReader
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner

from pifai.ai.pif_document.signing import load_certificate, verify_file
from pifai.ai.pif_document.view import fmt_number
from pifai.cli import app as cli
from pifai.models.ingredient import ProductIngredient
from pifai.services.pif.versions import freeze_version
from pifai.services.pif_document import build_document
from pifai.services.pif_document.certificate import signing_files
from pifai.services.pif_document.generate import Built
from pifai.services.runtime import Runtime
from tests.factories.auth import create_tenant
from tests.factories.files import image, upload
from tests.factories.pif_document import (
    CORRUPT_PDF,
    FORMULA,
    PRODUCT_NAME,
    encrypted_pdf,
    filled_product,
    report_pdf,
)

ATTACHED = {2: 3, 5: 5, 11: 2}  # item -> pages of its uploaded report


async def _build(session: AsyncSession, runtime: Runtime, product: Any, org_id: Any,
                 tmp: Path, number: int = 0) -> Built:  # fmt: skip
    await asyncio.to_thread(tmp.mkdir, parents=True, exist_ok=True)
    return await build_document(
        session, product.id, org_id, number, settings=runtime.settings,
        reference=runtime.reference, storage=runtime.storage, keyring=runtime.keyring,
        workdir=tmp,
    )  # fmt: skip


async def _attach(client: httpx.AsyncClient, tenant: Any, product: Any) -> None:
    for item, pages in ATTACHED.items():
        got = await upload(client, tenant, product.id, item, f"報告{item}.pdf",
                           report_pdf(f"Report {item}", pages), "application/pdf")  # fmt: skip
        assert got.status_code == 201, got.text
    for item, name, data in ((12, "損毀.pdf", CORRUPT_PDF), (13, "加密.pdf", encrypted_pdf())):
        got = await upload(client, tenant, product.id, item, name, data, "application/pdf")
        assert got.status_code == 201, got.text
    got = await upload(client, tenant, product.id, 4, "標籤.png", image(), "image/png")
    assert got.status_code == 201, got.text


def _outline(reader: PdfReader) -> list[tuple[str, int, list[tuple[str, int]]]]:
    out: list[tuple[str, int, list[tuple[str, int]]]] = []
    for entry in reader.outline:
        if isinstance(entry, list):
            out[-1][2].extend((e.title, reader.get_destination_page_number(e)) for e in entry)
        else:
            out.append((entry.title, reader.get_destination_page_number(entry), []))
    return out


def _cjk_fonts(reader: PdfReader) -> dict[str, bool]:
    """Our font's subsets, by name: whether the font program is embedded."""
    fonts: dict[str, bool] = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            name = str(font["/BaseFont"])
            if "PIF-TC" in name:
                [descendant] = font["/DescendantFonts"]
                descriptor = descendant.get_object()["/FontDescriptor"]
                fonts[name] = "/FontFile2" in descriptor or "/FontFile3" in descriptor
    return fonts


async def test_the_document_has_every_item_its_attachments_and_the_watermark(
    session: AsyncSession, runtime: Runtime, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    tenant = await create_tenant(session, runtime.settings)
    product = await filled_product(session, runtime, tenant)
    await _attach(client, tenant, product)
    built = await _build(session, runtime, product, tenant.org.id, tmp_path / "a")

    reader = PdfReader(built.path)
    assert len(reader.pages) == built.pages
    outline = _outline(reader)
    items = [(t, page, kids) for t, page, kids in outline if re.match(r"第 \d+ 項", t)]
    assert [int(t.split()[1]) for t, _, _ in items] == list(range(1, 17))
    texts = [page.extract_text() for page in reader.pages]
    # Each attached page is drawn once, inside its item's section (after its heading,
    # before the next item's), under a bookmark of its own.
    attached = 0
    for index, (title, start, kids) in enumerate(items):
        number = int(title.split()[1])
        pages = ATTACHED.get(number, 0)
        assert len(kids) == (1 if pages else 0), title
        if pages:
            [(_, first)] = kids
            end = items[index + 1][1]
            assert start < first < end
            for n in range(pages):
                assert f"Report {number} page {n + 1}" in texts[first + n]
            attached += pages
    assert sum(1 for t in texts if re.search(r"Report \d+ page \d+", t)) == attached
    # Sections plus attached pages: the pages that are not attachments are the rendered
    # sections, and "page X of Y" counts them all.
    assert f"共 {len(reader.pages)} 頁" in texts[-1]
    whole = "\n".join(texts)
    assert PRODUCT_NAME in whole
    for inci, _, _, _ in FORMULA:
        assert inci in whole
    item16 = await _item16(client, tenant, product)
    moses = [row["mos"] for row in item16["ingredients"] if row["mos"] is not None]
    assert moses
    for mos in moses:
        assert fmt_number(mos) in whole
    fonts = _cjk_fonts(reader)
    assert fonts and all(fonts.values())
    assert all("DRAFT" in t for t in texts)
    # The label's image is embedded in item 4's section.
    [(_, label_page, _)] = [e for e in items if e[0].startswith("第 4 項")]
    objects = reader.pages[label_page]["/Resources"].get("/XObject") or {}
    assert any(o.get_object()["/Subtype"] == "/Image" for o in objects.values())
    reported = {row["filename"]: row["reason"] for row in built.not_embedded}
    assert set(reported) == {"損毀.pdf", "加密.pdf"}
    assert "密碼" in reported["加密.pdf"] and "損毀" in reported["損毀.pdf"]
    assert "無法收錄" in whole and "加密.pdf" in whole


async def _item16(client: httpx.AsyncClient, tenant: Any, product: Any) -> dict[str, Any]:
    got = await client.get(f"/api/v1/products/{product.id}/pif/16", headers=tenant.headers)
    assert got.status_code == 200, got.text
    return dict(got.json()["content"]["engine_draft"])


async def test_the_same_data_gives_the_same_bytes(
    session: AsyncSession, runtime: Runtime, tmp_path: Path
) -> None:
    tenant = await create_tenant(session, runtime.settings)
    product = await filled_product(session, runtime, tenant)
    first = await _build(session, runtime, product, tenant.org.id, tmp_path / "1")
    second = await _build(session, runtime, product, tenant.org.id, tmp_path / "2")
    assert first.sha256 == second.sha256
    assert first.path.read_bytes() == second.path.read_bytes()
    await session.execute(
        update(ProductIngredient)
        .where(ProductIngredient.product_id == product.id, ProductIngredient.inci == "GLYCERIN")
        .values(concentration=6.0)
    )
    changed = await _build(session, runtime, product, tenant.org.id, tmp_path / "3")
    assert changed.sha256 != first.sha256


async def test_a_signed_version_is_signed_and_any_change_breaks_it(
    session: AsyncSession, runtime: Runtime, tmp_path: Path
) -> None:
    tenant = await create_tenant(session, runtime.settings)
    product = await filled_product(session, runtime, tenant)
    version = await freeze_version(
        session, product.id, tenant.org.id, signed_by=tenant.user.id,
        signature={"signer_name": "王安評", "qualification_ref": "SA-2026-001",
                   "method": "password"},
    )  # fmt: skip
    built = await _build(session, runtime, product, tenant.org.id, tmp_path / "s", version.number)
    assert built.signed
    reader = PdfReader(built.path)
    texts = [page.extract_text() for page in reader.pages]
    assert not any("DRAFT" in t for t in texts)
    assert "王安評" in texts[0] and "SA-2026-001" in texts[0]

    cert = signing_files(runtime.settings)[1]
    # pyHanko's validation runs its own event loop: off this one, as the CLI runs it.
    result = await asyncio.to_thread(verify_file, built.path, [load_certificate(cert)])
    assert result.valid, result.message
    assert result.reason is not None
    assert "王安評" in result.reason and str(version.snapshot_sha256) in result.reason

    data = bytearray(built.path.read_bytes())
    data[len(data) // 2] ^= 0x01
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(bytes(data))
    assert not (await asyncio.to_thread(verify_file, broken, [load_certificate(cert)])).valid

    runner = CliRunner()
    ok = await asyncio.to_thread(
        runner.invoke, cli, ["verify-pdf", str(built.path), "--cert", str(cert)]
    )
    assert ok.exit_code == 0, ok.output
    bad = await asyncio.to_thread(
        runner.invoke, cli, ["verify-pdf", str(broken), "--cert", str(cert)]
    )
    assert bad.exit_code == 1

    # The working draft of the same product is not signed and carries the watermark.
    draft = await _build(session, runtime, product, tenant.org.id, tmp_path / "d")
    assert not draft.signed
    assert "DRAFT" in PdfReader(io.BytesIO(draft.path.read_bytes())).pages[0].extract_text()
