"""Outside assessors: an organisation grants a Safety Assessor of another organisation the
review of named products.

The grant rows are the granting organisation's. An invitation goes out by e-mail with a
token; the assessor, signed in to their own account (role ``sa``, address verified),
accepts it and the grants become theirs. From then on row-level security admits their
requests to those products' rows (migration 0020), until the grant is revoked or
expires; a revoked or expired grant is indistinguishable from none (404)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, or_, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from pifai.core.config import Settings
from pifai.core.email import Template, render, send_after_commit
from pifai.core.errors import Conflict, NotFound, ValidationFailed
from pifai.core.security import Actor
from pifai.models.organization import Organization
from pifai.models.product import Product
from pifai.models.sa import AssessorGrant
from pifai.services import audit
from pifai.services.audit import RequestMeta
from pifai.services.products import get_product_for_org
from pifai.services.sa.qualification import require_sa


class GrantNotFound(NotFound):
    code = "grant_not_found"


class InvitationNotFound(NotFound):
    code = "invitation_not_found"


class GrantExists(Conflict):
    code = "grant_exists"


@dataclass(frozen=True)
class Invitation:
    grants: list[AssessorGrant]
    token: str  # returned once, to the e-mail; only its hash is kept


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def active_grant_clause(user_id: uuid.UUID) -> list[ColumnElement[bool]]:
    """The conditions of a grant that admits ``user_id`` now (as the RLS policy has them)."""
    return [
        AssessorGrant.assessor_user_id == user_id,
        AssessorGrant.status == "active",
        or_(AssessorGrant.expires_at.is_(None), AssessorGrant.expires_at > func.now()),
    ]


async def invite(
    session: AsyncSession,
    settings: Settings,
    actor: Actor,
    *,
    email: str,
    product_ids: Sequence[uuid.UUID],
    expires_at: datetime | None,
    meta: RequestMeta,
) -> Invitation:
    """Grant ``email`` the review of ``product_ids`` (the organisation's own) and mail the
    invitation once the transaction commits."""
    if expires_at is not None and expires_at <= datetime.now(UTC):
        raise ValidationFailed(
            "expires_at must be in the future.",
            details=[{"field": "expires_at", "message": "in the past"}],
        )
    address = email.strip().lower()
    products = [await get_product_for_org(session, pid, actor.org_id) for pid in product_ids]
    taken = await session.scalars(
        select(AssessorGrant.product_id).where(
            AssessorGrant.org_id == actor.org_id,
            func.lower(AssessorGrant.email) == address,
            AssessorGrant.product_id.in_([p.id for p in products]),
            AssessorGrant.status.in_(("invited", "active")),
        )
    )
    if already := sorted(str(p) for p in set(taken)):
        raise GrantExists(
            f"{address} already holds or was already invited to a grant for these products.",
            details={"product_ids": already},
        )
    token = secrets.token_urlsafe(32)
    grants = [
        AssessorGrant(
            org_id=actor.org_id,
            product_id=product.id,
            email=address,
            status="invited",
            token_sha256=token_sha256(token),
            invited_by=actor.id,
            expires_at=expires_at,
        )
        for product in dict.fromkeys(products)
    ]
    session.add_all(grants)
    await session.flush()
    for grant in grants:
        await audit.record(
            session,
            "sa.grant_invited",
            org_id=actor.org_id,
            actor_id=actor.id,
            resource_type="assessor_grant",
            resource_id=grant.id,
            details={"product_id": str(grant.product_id), "email": address},
            meta=meta,
        )
    org_name = await session.scalar(
        select(Organization.name).where(Organization.id == actor.org_id)
    )
    message = invitation_message(settings, org_name or "", [p.name for p in products], token)
    send_after_commit(
        session,
        settings,
        [(address, message)],
        mark_sent=None,  # an invitation's delivery is not recorded
        what="assessor invitation",
    )
    return Invitation(grants=grants, token=token)


def invitation_message(
    settings: Settings, org_name: str, products: Sequence[str], token: str
) -> Template:
    return render(
        "assessor_invited",
        "zh-TW",
        org=org_name,
        products="\n".join(f"- {name}" for name in products),
        token=token,
        link=f"{settings.public_base_url.rstrip('/')}/sa/invitations?token={token}",
    )


async def list_grants_for_org(
    session: AsyncSession, org_id: uuid.UUID, *, limit: int, offset: int
) -> tuple[list[tuple[AssessorGrant, str]], int]:
    base = select(AssessorGrant).where(AssessorGrant.org_id == org_id)
    total = await session.scalar(select(func.count()).select_from(base.subquery()))
    rows = await session.execute(
        select(AssessorGrant, Product.name)
        .join(Product, Product.id == AssessorGrant.product_id)
        .where(AssessorGrant.org_id == org_id)
        .order_by(AssessorGrant.created_at.desc(), AssessorGrant.id)
        .limit(limit)
        .offset(offset)
    )
    return [(g, name) for g, name in rows], total or 0


async def revoke(
    session: AsyncSession, actor: Actor, grant_id: uuid.UUID, meta: RequestMeta
) -> AssessorGrant:
    grant = await session.scalar(
        select(AssessorGrant)
        .where(AssessorGrant.id == grant_id, AssessorGrant.org_id == actor.org_id)
        .with_for_update()
    )
    if grant is None:
        raise GrantNotFound("No such assessor grant.")
    if grant.status != "revoked":
        grant.status = "revoked"
        grant.revoked_at = datetime.now(UTC)
        await audit.record(
            session,
            "sa.grant_revoked",
            org_id=actor.org_id,
            actor_id=actor.id,
            resource_type="assessor_grant",
            resource_id=grant.id,
            details={"product_id": str(grant.product_id), "email": grant.email},
            meta=meta,
        )
        await session.flush()
    return grant


async def accept(
    session: AsyncSession, actor: Actor, token: str, meta: RequestMeta
) -> list[AssessorGrant]:
    """Bind the invitation's grants to the signed-in SA (the database checks the token,
    that the address is theirs and verified, and that they are of another organisation)."""
    require_sa(actor)
    rows = (
        await session.execute(
            text("SELECT grant_id, org_id, product_id FROM pifai_accept_assessor_grants(:t)"),
            {"t": token_sha256(token.strip())},
        )
    ).all()
    if not rows:
        raise InvitationNotFound(
            "No open invitation matches this code and your verified e-mail address "
            "(it may have been revoked, expired or accepted already)."
        )
    for row in rows:
        await audit.record(
            session,
            "sa.grant_accepted",
            org_id=row.org_id,
            actor_id=actor.id,
            resource_type="assessor_grant",
            resource_id=row.grant_id,
            details={"product_id": str(row.product_id), "assessor_org_id": str(actor.org_id)},
            meta=meta,
        )
    return await my_grants(session, actor)


async def my_grants(session: AsyncSession, actor: Actor) -> list[AssessorGrant]:
    """The grants that admit the signed-in assessor now."""
    rows = await session.scalars(
        select(AssessorGrant)
        .where(*active_grant_clause(actor.id))
        .order_by(AssessorGrant.accepted_at, AssessorGrant.id)
    )
    return list(rows)


async def product_names(
    session: AsyncSession, grants: Sequence[AssessorGrant]
) -> dict[uuid.UUID, str]:
    pairs = [(g.product_id, g.org_id) for g in grants]
    rows = await session.execute(
        select(Product.id, Product.name).where(tuple_(Product.id, Product.org_id).in_(pairs))
    )
    return {pid: name for pid, name in rows}
