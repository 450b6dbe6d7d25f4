"""Safety Assessors who can sign (role sa, two-factor enabled, a valid qualification) and
products whose PIF is ready for their review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pyotp
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.core.config import Settings
from pifai.core.security import FieldCipher
from pifai.core.tenancy import scope_session
from pifai.models.organization import Organization
from pifai.models.pif import PifDocument
from pifai.models.product import Product
from pifai.models.sa import SaQualification
from pifai.models.user import User
from pifai.services.pif.items import MANDATORY_ITEMS
from tests.factories.auth import _PASSWORD_HASH, bearer
from tests.factories.identity import create_user
from tests.factories.products import create_product


@dataclass
class Assessor:
    user: User
    headers: dict[str, str]
    secret: str

    async def totp(self, session: AsyncSession) -> dict[str, str]:
        """Headers with a fresh code. Each signed action spends one time step; the test
        frees the last one, as the passing of 30 seconds would."""
        await scope_session(session, self.user.org_id)
        await session.execute(
            update(User)
            .where(User.id == self.user.id, User.org_id == self.user.org_id)
            .values(totp_last_step=None)
        )
        await session.flush()
        return {**self.headers, "X-TOTP-Code": pyotp.TOTP(self.secret).now()}


async def create_assessor(
    session: AsyncSession,
    settings: Settings,
    org: Organization,
    *,
    valid_until: date | None = None,
    **overrides: Any,
) -> Assessor:
    await scope_session(session, org.id)
    secret = pyotp.random_base32()
    user = await create_user(
        session,
        org,
        role="sa",
        password_hash=_PASSWORD_HASH,
        full_name=overrides.pop("full_name", "王安評"),
        totp_secret=FieldCipher(settings).encrypt(secret),
        totp_enabled=True,
        email_verified_at=datetime.now(UTC),
        **overrides,
    )
    today = datetime.now(UTC).date()
    session.add(
        SaQualification(
            org_id=org.id,
            user_id=user.id,
            certificate_reference="SA-TEST-0001",
            issuing_body="Example training institute",
            valid_from=today - timedelta(days=365),
            valid_until=valid_until or today + timedelta(days=365),
            file_encrypted=False,
        )
    )
    await session.flush()
    return Assessor(user=user, headers=bearer(settings, user), secret=secret)


ENGINE_DRAFT = {"conclusion": "draft", "text_zh": "安全評估草稿", "text_en": "Draft assessment"}


async def make_ready(
    session: AsyncSession, product: Product, *, confidence: float = 0.9, items: Any = None
) -> None:
    """Every mandatory item (or ``items``) at ai_draft_ready, item 16 with a draft."""
    await scope_session(session, product.org_id)
    numbers = list(items if items is not None else MANDATORY_ITEMS)
    await session.execute(
        update(PifDocument)
        .where(
            PifDocument.product_id == product.id,
            PifDocument.org_id == product.org_id,
            PifDocument.item_number.in_(numbers),
        )
        .values(status="ai_draft_ready", confidence=confidence)
    )
    if 16 in numbers:
        await session.execute(
            update(PifDocument)
            .where(
                PifDocument.product_id == product.id,
                PifDocument.org_id == product.org_id,
                PifDocument.item_number == 16,
            )
            .values(content={"engine_draft": ENGINE_DRAFT})
        )
    await session.flush()


async def ready_product(session: AsyncSession, org: Organization, **overrides: Any) -> Product:
    product = await create_product(session, org, **overrides)
    await make_ready(session, product)
    return product
