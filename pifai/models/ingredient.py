"""Ingredients: the global reference dictionary, and a product's formula rows (tenant data).

``ingredients`` is reference data shared by every tenant (no org_id, no RLS): the curated
rows shipped in ``pifai/data/ingredients.csv`` (``origin = 'curated'``) merged with the EU
CosIng inventory (``origin = 'cosing'``). ``search_text`` is kept by a trigger (migration
0005) and carries a trigram index when pg_trgm is available; ``name_keys`` holds the matching key
(:func:`pifai.ai.ingredient_validator.name_key`) of every name of the row.

``product_ingredients`` is a product's formula (PIF item 3), under row-level security.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from pifai.core.database import Base, Timestamps

INGREDIENT_ORIGINS = ("curated", "cosing")

_EMPTY_ARRAY = text("'{}'")
# CosIng's longest names (multi-plant ferments) pass 2,000 characters; a btree index entry
# holds up to ~2,700 bytes.
MAX_NAME_LENGTH = 2500


class Ingredient(Timestamps, Base):
    __tablename__ = "ingredients"
    __table_args__ = (
        CheckConstraint(f"origin IN {INGREDIENT_ORIGINS!r}", name="origin"),
        # GIN pg_trgm where the server has pg_trgm; else (the embedded server) migration
        # 0005 builds a btree text_pattern_ops index of the same name (prefix search).
        Index(
            "ix_ingredients_search_text",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        ),
        Index("ix_ingredients_name_keys", "name_keys", postgresql_using="gin"),
        Index("ix_ingredients_cas_numbers", "cas_numbers", postgresql_using="gin"),
    )

    id: Mapped[uuid.UUID] = mapped_column(
        primary_key=True, default=uuid.uuid4, server_default=text("gen_random_uuid()")
    )
    # Canonical INCI spelling (CosIng, upper case) and its matching key (unique).
    inci_name: Mapped[str] = mapped_column(String(MAX_NAME_LENGTH), nullable=False)
    inci_key: Mapped[str] = mapped_column(String(MAX_NAME_LENGTH), nullable=False, unique=True)
    cas_numbers: Mapped[list[str]] = mapped_column(
        ARRAY(String(12)), nullable=False, default=list, server_default=_EMPTY_ARRAY
    )
    ec_numbers: Mapped[list[str]] = mapped_column(
        ARRAY(String(12)), nullable=False, default=list, server_default=_EMPTY_ARRAY
    )
    functions: Mapped[list[str]] = mapped_column(
        ARRAY(Text), nullable=False, default=list, server_default=_EMPTY_ARRAY
    )
    # Common, trade, INN and Ph. Eur. names, CI numbers and Chinese aliases.
    synonyms: Mapped[list[str]] = mapped_column(
        ARRAY(Text), nullable=False, default=list, server_default=_EMPTY_ARRAY
    )
    # The Traditional Chinese name on Taiwan labels, as a curator decided it.
    zh_name: Mapped[str | None] = mapped_column(String(200))
    # Traditional Chinese names derived from China's IECIC 2021 (simplified names converted
    # by OpenCC s2twp): matched with lower confidence than zh_name, never replacing it.
    zh_derived: Mapped[list[str]] = mapped_column(
        ARRAY(Text), nullable=False, default=list, server_default=_EMPTY_ARRAY
    )
    # The IECIC 2021 entries behind zh_derived: serial, simplified and converted name,
    # historical maximum use (rinse-off, leave-on, as printed) and note, with their source.
    # Historical use is evidence for a safety assessment, not a limit: no rule reads it.
    iecic: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB)
    category: Mapped[str | None] = mapped_column(String(30))
    description: Mapped[str | None] = mapped_column(Text)
    # CosIng "Restriction": the annex references (e.g. "III/12"), not the limits themselves.
    restriction: Mapped[str | None] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(10), nullable=False, default="curated")
    # Where the row was checked: document, entry, date.
    source: Mapped[str | None] = mapped_column(Text)
    # The CAS (or its absence) was read from the cited source, not recalled.
    verified: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=text("false")
    )
    cosing_ref: Mapped[str | None] = mapped_column(String(20))
    cosing_updated: Mapped[date | None] = mapped_column(Date)
    name_keys: Mapped[list[str]] = mapped_column(
        ARRAY(Text), nullable=False, default=list, server_default=_EMPTY_ARRAY
    )
    # Set by the trigger ingredients_search_text (lower case names, synonyms, CAS).
    search_text: Mapped[str] = mapped_column(Text, nullable=False, server_default=text("''"))


class ReferenceLoad(Base):
    """The shipped data set last loaded under ``name`` (its hash and row count): a start
    whose shipped files hash the same skips the load."""

    __tablename__ = "reference_loads"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    rows: Mapped[int] = mapped_column(Integer, nullable=False)
    loaded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


class ProductIngredient(Timestamps, Base):
    __tablename__ = "product_ingredients"
    __table_args__ = (
        CheckConstraint(
            "concentration IS NULL OR (concentration >= 0 AND concentration <= 100)",
            name="concentration_range",
        ),
        Index("ix_product_ingredients_product_id_sort_order", "product_id", "sort_order"),
    )

    id: Mapped[uuid.UUID] = mapped_column(
        primary_key=True, default=uuid.uuid4, server_default=text("gen_random_uuid()")
    )
    org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True, nullable=False
    )
    product_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), nullable=False
    )
    # NULL while the row is not matched to the dictionary.
    ingredient_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("ingredients.id", ondelete="SET NULL"), index=True
    )
    raw_name: Mapped[str] = mapped_column(Text, nullable=False)
    inci: Mapped[str] = mapped_column(String(500), nullable=False)
    cas: Mapped[str | None] = mapped_column(String(12))
    # % w/w; for a balance row, the computed remainder.
    concentration: Mapped[float | None] = mapped_column(Numeric(9, 6, asdecimal=False))
    is_balance: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    function: Mapped[str | None] = mapped_column(Text)
    # The operator's Traditional Chinese name for the row (the label's), over the
    # dictionary's; NULL: the dictionary's, if the row is matched.
    zh_name: Mapped[str | None] = mapped_column(String(200))
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False)
    # Per-field confidence in [0, 1]: {"row", "inci", "cas", "concentration"}.
    confidence: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)
    match_method: Mapped[str] = mapped_column(String(10), nullable=False, default="unknown")
    flagged: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    notes: Mapped[list[str]] = mapped_column(
        ARRAY(Text), nullable=False, default=list, server_default=_EMPTY_ARRAY
    )
    # Who produced the row: "extraction" (formula.extract), "operator" (PUT), ...
    source: Mapped[str] = mapped_column(String(20), nullable=False)
