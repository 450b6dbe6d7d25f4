"""/api/v1/products/{product_id}/ask: questions about a product's documents."""

from __future__ import annotations

import uuid
from dataclasses import asdict

from fastapi import APIRouter

from pifai.api.deps import CurrentPrincipal, OrgSession, RuntimeDep, TransactionalRoute
from pifai.schemas.knowledge import AskRequest, AskResponse
from pifai.services import knowledge

router = APIRouter(
    prefix="/products/{product_id}", tags=["knowledge"], route_class=TransactionalRoute
)


@router.post("/ask", response_model=AskResponse)
async def ask(
    product_id: uuid.UUID,
    body: AskRequest,
    user: CurrentPrincipal,
    session: OrgSession,
    runtime: RuntimeDep,
) -> AskResponse:
    """Answers from the product's central RAG knowledge base, or from our own search of
    its uploaded documents when that is unavailable (`served_by` says which)."""
    answer = await knowledge.ask(session, runtime.rag, product_id, user.org_id, body.question)
    return AskResponse.model_validate(asdict(answer))
