"""Questions about a product: the central RAG first, our own document text as fallback;
and the back-fill of knowledge bases for products created while RAG was down."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import structlog
from sqlalchemy import bindparam, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pifai.core.errors import AppError
from pifai.core.tenancy import scope_session
from pifai.models.product import Product
from pifai.services.products import get_product_for_org
from pifai.services.rag import RagClient, safe_create_kb

if TYPE_CHECKING:
    from pifai.services.runtime import Runtime

log = structlog.get_logger(__name__)

MAX_TERMS = 24
SNIPPET_RADIUS = 80
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-]+")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_STOP = {"the", "and", "what", "which", "how", "does", "is", "are", "of", "in", "for", "to"}


@dataclass
class Snippet:
    file_id: uuid.UUID
    filename: str
    item_number: int
    page: int
    text: str
    score: int


@dataclass
class Answer:
    served_by: str  # "rag" | "local"
    answer: str | None
    from_wiki: bool = False
    from_local: bool = False
    sources: list[dict[str, Any]] = field(default_factory=list)
    snippets: list[Snippet] = field(default_factory=list)
    fallback_reason: str | None = None


def search_terms(question: str) -> list[str]:
    """Words for alphabetic scripts; overlapping two-character pieces for Chinese, which
    has no spaces (so 保存溫度 matches a text that says 保存溫度為 25°C)."""
    terms: list[str] = []
    for word in _WORD.findall(question):
        if word.lower() not in _STOP:
            terms.append(word.lower())
    for run in _CJK_RUN.findall(question):
        if len(run) == 1:
            terms.append(run)
        terms += [run[i : i + 2] for i in range(len(run) - 1)]
    return list(dict.fromkeys(terms))[:MAX_TERMS]


def _snippet(body: str, terms: list[str]) -> str:
    lowered = body.lower()
    positions = [lowered.find(t.lower()) for t in terms if t.lower() in lowered]
    start = max(min(positions, default=0) - SNIPPET_RADIUS, 0)
    piece = body[start : start + 2 * SNIPPET_RADIUS].strip()
    return ("…" if start else "") + piece + ("…" if start + 2 * SNIPPET_RADIUS < len(body) else "")


async def local_search(
    session: AsyncSession, product_id: uuid.UUID, org_id: uuid.UUID, question: str, limit: int = 5
) -> list[Snippet]:
    terms = search_terms(question)
    if not terms:
        return []
    score = " + ".join(f"(position(:t{i} in lower(dt.text)) > 0)::int" for i in range(len(terms)))
    query = text(
        f"SELECT dt.file_id, f.original_filename, f.item_number, dt.page, dt.text, "  # noqa: S608
        f"({score}) AS score "
        "FROM document_texts dt JOIN pif_files f ON f.id = dt.file_id AND f.org_id = dt.org_id "
        "WHERE dt.product_id = :product AND dt.org_id = :org AND f.deleted_at IS NULL "
        "ORDER BY score DESC, f.item_number, dt.page LIMIT :limit"
    ).bindparams(*(bindparam(f"t{i}") for i in range(len(terms))))
    params: dict[str, Any] = {f"t{i}": t.lower() for i, t in enumerate(terms)}
    params.update(product=product_id, org=org_id, limit=limit)
    rows = (await session.execute(query, params)).all()
    return [
        Snippet(
            r.file_id, r.original_filename, r.item_number, r.page, _snippet(r.text, terms), r.score
        )
        for r in rows
        if r.score > 0
    ]


async def ask(
    session: AsyncSession,
    rag: RagClient | None,
    product_id: uuid.UUID,
    org_id: uuid.UUID,
    question: str,
) -> Answer:
    """The knowledge base is resolved here from the org-checked product, never from input."""
    product = await get_product_for_org(session, product_id, org_id)
    reason = None
    if rag is None or not rag.is_configured:
        reason = "rag_not_configured"
    elif product.rag_kb_id is None:
        reason = "no_knowledge_base_yet"
    else:
        try:
            result = await rag.ask(product.rag_kb_id, question)
            return Answer(
                served_by="rag",
                answer=result.answer,
                from_wiki=result.from_wiki,
                sources=[s.model_dump(exclude_none=True) for s in result.sources],
            )
        except AppError as exc:  # RagServiceError, RagNotConfigured: degrade, never 500
            log.warning("rag ask failed; answering from local text", error=exc.message)
            reason = "rag_unavailable"
    snippets = await local_search(session, product.id, org_id, question)
    return Answer(
        served_by="local",
        answer=snippets[0].text if snippets else None,
        from_local=True,
        snippets=snippets,
        fallback_reason=reason,
    )


async def backfill_knowledge_bases(
    session_factory: async_sessionmaker[AsyncSession], rag: RagClient, *, limit: int = 500
) -> tuple[int, int]:
    """Create knowledge bases for products that have none. Returns (filled, still missing).

    The cross-tenant list comes from a SECURITY DEFINER function returning ids only; each
    update then runs in a session scoped to the product's own organisation."""
    async with session_factory() as session:
        rows = (
            await session.execute(
                text("SELECT product_id, org_id FROM products_without_kb(:n)"), {"n": limit}
            )
        ).all()
    filled = 0
    for product_id, org_id in rows:
        kb_id = await safe_create_kb(rag, org_id, product_id)
        if kb_id is None:
            continue
        async with session_factory() as session, session.begin():
            await scope_session(session, org_id)
            result = await session.execute(
                update(Product)
                .where(Product.id == product_id, Product.org_id == org_id)
                .where(Product.rag_kb_id.is_(None))
                .values(rag_kb_id=kb_id)
            )
            filled += result.rowcount  # type: ignore[attr-defined]
    log.info("rag backfill", filled=filled, candidates=len(rows))
    return filled, len(rows) - filled


async def backfill_periodically(runtime: Runtime) -> None:
    """The periodic job ``rag.backfill``."""
    rag = RagClient.from_settings(runtime.settings)
    try:
        await backfill_knowledge_bases(runtime.session_factory, rag)
    finally:
        await rag.aclose()
