"""What a PIF document is rendered from: plain data, loaded by the service layer from the
working draft (V0, live rows) or from a signed version's stored snapshot."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

AttachmentKind = Literal["pdf", "image", "other"]


@dataclass(frozen=True)
class Attachment:
    """One file of an item. ``path`` is a local plaintext copy (PDFs and images only),
    ``pages`` the PDF pages that will be embedded, ``error`` why it is not embedded."""

    item: int
    filename: str
    version: int
    sha256: str
    content_type: str
    kind: AttachmentKind
    path: Path | None = None
    pages: int = 0
    error: str | None = None

    @property
    def embedded(self) -> bool:
        return self.error is None and (self.kind == "image" or self.pages > 0)


@dataclass(frozen=True)
class VersionInfo:
    number: int  # 0: the working draft
    status: str  # draft | signed | superseded
    signed_at: datetime | None = None
    signer_name: str | None = None
    qualification_ref: str | None = None
    snapshot_sha256: str | None = None

    @property
    def signed(self) -> bool:
        return self.number > 0 and self.signed_at is not None


@dataclass(frozen=True)
class DocumentData:
    organisation: str
    version: VersionInfo
    # The document's date (footer, metadata): from the data, never the clock, so the same
    # data gives the same bytes.
    generated_at: datetime
    product: dict[str, Any]
    # item number -> {"status", "confidence", "content"}
    items: dict[int, dict[str, Any]]
    # the formula rows, each with "inci", "raw_name", "cas", "concentration", "function",
    # "is_balance", and the looked-up "zh_name" and "tfda_status"
    formula: list[dict[str, Any]]
    findings: list[dict[str, Any]] = field(default_factory=list)
    alerts: list[dict[str, Any]] = field(default_factory=list)
    expiry: list[dict[str, Any]] = field(default_factory=list)
    history: list[VersionInfo] = field(default_factory=list)
    attachments: dict[int, list[Attachment]] = field(default_factory=dict)
    data_versions: dict[str, str] = field(default_factory=dict)
