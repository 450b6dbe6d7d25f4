"""Products: item-1 data and the fields the engines key on."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from pifai.domain import ProductType
from pifai.schemas.base import RequestModel
from pifai.schemas.pagination import Paginated

PifStatus = Literal["draft", "in_review", "revision_requested", "signed", "archived"]
# TFDA's notification numbers are issued by its product-notification platform; their exact
# pattern is not published in a source we could check (UNVERIFIED), so we accept what such
# identifiers look like: letters, digits and '-', 4 to 40 characters.
NOTIFICATION_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{3,39}$")


class _ProductFields(RequestModel):
    name_en: Annotated[str, Field(max_length=500)] | None = None
    category: Annotated[str, Field(max_length=100)] | None = None
    dosage_form: Annotated[str, Field(max_length=100)] | None = None
    intended_use: Annotated[str, Field(max_length=2000)] | None = None
    manufacturer_name: Annotated[str, Field(max_length=300)] | None = None
    manufacturer_address: Annotated[str, Field(max_length=500)] | None = None
    notification_number: str | None = None
    sccs_category: Annotated[str, Field(min_length=1, max_length=40)] | None = Field(
        default=None,
        description="The SCCS product category whose daily exposure the safety assessment "
        "uses (GET /api/v1/safety/exposure-categories); without one, the most "
        "conservative category of the product type is used",
    )

    @field_validator("notification_number")
    @classmethod
    def _notification_number(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        if not NOTIFICATION_NUMBER.match(value):
            raise ValueError("use letters, digits and '-' only, 4 to 40 characters")
        return value


class ProductCreate(_ProductFields):
    name: Annotated[str, Field(min_length=1, max_length=500)]
    product_type: ProductType
    children_under_3: bool = False


class ProductUpdate(_ProductFields):
    """Only the fields sent change; these three cannot be cleared."""

    name: Annotated[str, Field(min_length=1, max_length=500)] | None = None
    product_type: ProductType | None = None
    children_under_3: bool | None = None

    @field_validator("name", "product_type", "children_under_3")
    @classmethod
    def _not_null(cls, value: object) -> object:
        # Runs only for values actually sent: an explicit null is refused, omission is fine.
        if value is None:
            raise ValueError("may not be null; leave the field out to keep it")
        return value


class ProductOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    org_id: uuid.UUID
    name: str
    name_en: str | None
    category: str | None
    dosage_form: str | None
    intended_use: str | None
    manufacturer_name: str | None
    manufacturer_address: str | None
    notification_number: str | None
    sccs_category: str | None
    product_type: ProductType
    children_under_3: bool
    pif_status: PifStatus
    rag_kb_id: str | None
    created_at: datetime
    updated_at: datetime


class ProductPage(Paginated[ProductOut]):
    pass
