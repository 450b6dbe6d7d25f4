"""The engine's drafts of items 9, 10 and 16 written into the product's PIF.

The drafts are kept under the item content's ``engine_draft`` key (an operator's PUT of
the item keeps it) and the item moves to ``ai_draft_ready`` with the draft's confidence.
A draft equal to the one already there changes nothing; an approved item is never
overwritten by software (the SA sends it back first); a reviewed item whose draft changed
returns to ``ai_draft_ready``, since what was reviewed no longer matches the formula."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import httpx2
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.ai.llm import build_client
from pifai.ai.regulatory import FormulaItem
from pifai.ai.safety.drafts import DRAFT_KIND, digest, item9_draft, item10_draft, item16_draft
from pifai.ai.safety.inputs import row_label
from pifai.ai.safety.rephrase import rephrase_draft
from pifai.ai.toxicology import echa, pubchem
from pifai.ai.toxicology.profile import Profile, build_profile
from pifai.core.config import Settings
from pifai.models.product import Product
from pifai.services.pif import items as pif_items
from pifai.services.toxicology.cache import normalise_key, read_cached

log = structlog.get_logger(__name__)

DRAFT_ITEMS = (9, 10, 16)
LIVE_SOURCES = (pubchem.SOURCE, echa.SOURCE)
# The state machine's path from each status to a fresh draft (approved: none).
_PATH: dict[str, tuple[str, ...]] = {
    "missing": ("uploaded", "ai_processing", "ai_draft_ready"),
    "uploaded": ("ai_processing", "ai_draft_ready"),
    "ai_processing": ("ai_draft_ready",),
    "ai_draft_ready": (),
    "human_reviewed": ("ai_processing", "ai_draft_ready"),
}


async def profiles_for(session: AsyncSession, formula: Sequence[FormulaItem]) -> list[Profile]:
    """Items 9 and 10 per formula row, from the cached sources and the shipped records."""
    labels = [row_label(row) for row in formula]
    cached = await read_cached(session, labels, LIVE_SOURCES)
    return [
        build_profile(
            label,
            row.cas,
            {s: c.result for s, c in cached[normalise_key(label)].items()},
            name=row.name,
        )
        for label, row in zip(labels, formula, strict=True)
    ]


async def build_drafts(
    session: AsyncSession,
    product: Product,
    formula: Sequence[FormulaItem],
    result: Mapping[str, Any],
    assessment_id: str,
    settings: Settings,
    *,
    llm_transport: httpx2.AsyncBaseTransport | None = None,
) -> dict[int, dict[str, Any]]:
    profiles = await profiles_for(session, formula)
    about = {"name": product.name, "name_en": product.name_en, "product_type": product.product_type}
    item16 = item16_draft(about, result, assessment_id)
    client = build_client(settings, transport=llm_transport)
    if client is not None:
        async with client:
            item16 = await rephrase_draft(client, item16, model=settings.llm_model)
    return {
        9: item9_draft(profiles, assessment_id),
        10: item10_draft(profiles, assessment_id),
        16: item16,
    }


def _comparable(draft: Mapping[str, Any]) -> str:
    # The assessment id changes every run; the draft is "the same" when the rest is.
    return digest({k: v for k, v in draft.items() if k != "assessment_id"})


async def write_drafts(
    session: AsyncSession,
    product_id: uuid.UUID,
    org_id: uuid.UUID,
    drafts: Mapping[int, Mapping[str, Any]],
) -> dict[int, str]:
    """Write each draft into its item; returns what happened per item."""
    outcome: dict[int, str] = {}
    for number, draft in sorted(drafts.items()):
        document = await pif_items.get_document_for_org(
            session, product_id, number, org_id, for_update=True
        )
        previous = document.content.get(DRAFT_KIND)
        if previous is not None and _comparable(previous) == _comparable(draft):
            outcome[number] = "unchanged"
            continue
        if document.status not in _PATH:
            outcome[number] = f"kept: the item is {document.status}; the new draft is not applied"
            continue
        for target in _PATH[document.status]:
            await pif_items.transition(
                session,
                document,
                target,
                actor=None,
                reason="safety engine draft",
                confidence=float(draft["confidence"]) if target == "ai_draft_ready" else None,
            )
        document.content = {**document.content, DRAFT_KIND: dict(draft)}
        document.confidence = float(draft["confidence"])
        outcome[number] = "written"
    await session.flush()
    return outcome
