"""All ORM models, imported so Base.metadata is complete (Alembic, drift check)."""

from pifai.models.audit import AuditChainHead, AuditLog
from pifai.models.auth import EmailToken, RefreshToken, SuperAdmin
from pifai.models.claims import ClaimAcknowledgement
from pifai.models.compliance import ComplianceAlert, ComplianceNotification
from pifai.models.expiry import ExpiryDigest
from pifai.models.ingredient import Ingredient, ProductIngredient, ReferenceLoad
from pifai.models.migration import InlineMigration
from pifai.models.organization import Organization
from pifai.models.pif import DocumentText, PifDocument, PifFile
from pifai.models.pif_pdf import PifPdf
from pifai.models.pif_version import PifVersion
from pifai.models.product import Product
from pifai.models.regulatory import RegulatoryEntry, RegulatoryImport  # noqa: F401
from pifai.models.sa import AssessorGrant, SaQualification, SaReview, SaReviewComment
from pifai.models.safety import SafetyAssessment
from pifai.models.task import Task
from pifai.models.toxicology import ToxicologyCache
from pifai.models.user import User

__all__ = [
    "AssessorGrant",
    "AuditChainHead",
    "AuditLog",
    "ClaimAcknowledgement",
    "ComplianceAlert",
    "ComplianceNotification",
    "DocumentText",
    "EmailToken",
    "ExpiryDigest",
    "Ingredient",
    "InlineMigration",
    "Organization",
    "PifDocument",
    "PifFile",
    "PifPdf",
    "PifVersion",
    "Product",
    "ProductIngredient",
    "ReferenceLoad",
    "RefreshToken",
    "SaQualification",
    "SaReview",
    "SaReviewComment",
    "SafetyAssessment",
    "SuperAdmin",
    "Task",
    "ToxicologyCache",
    "User",
]
