"""Knowledge base creation and deletion that never fail the caller: a RAG outage is
logged, and the back-fill creates what is missing later."""

from __future__ import annotations

import uuid

import structlog

from pifai.services.rag.client import RagClient
from pifai.services.rag.http import RagServiceError

log = structlog.get_logger(__name__)


async def safe_create_kb(
    client: RagClient, org_id: uuid.UUID | str, product_id: uuid.UUID | str
) -> str | None:
    """The new knowledge base id, or None when RAG is off or failing (back-fill retries)."""
    if not client.is_configured:
        log.info("rag not configured; knowledge base not created", product_id=str(product_id))
        return None
    try:
        kb = await client.create_knowledge_base(org_id, product_id)
    except RagServiceError as exc:
        log.warning(
            "rag knowledge base creation failed",
            product_id=str(product_id),
            status=exc.status,
            error=exc.message,
        )
        return None
    except Exception:
        # The contract is "never raises"; an unexpected bug is logged loudly instead.
        log.exception("rag knowledge base creation crashed", product_id=str(product_id))
        return None
    return kb.id


async def safe_delete_kb(client: RagClient, kb_id: str) -> bool:
    """True when the knowledge base is gone, False when RAG is off or failing."""
    if not client.is_configured:
        log.info("rag not configured; knowledge base not deleted", kb_id=kb_id)
        return False
    try:
        await client.delete_knowledge_base(kb_id)
    except RagServiceError as exc:
        log.warning(
            "rag knowledge base deletion failed", kb_id=kb_id, status=exc.status, error=exc.message
        )
        return False
    except Exception:
        log.exception("rag knowledge base deletion crashed", kb_id=kb_id)
        return False
    return True
