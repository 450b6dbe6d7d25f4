"""The regulatory context's errors (API codes)."""

from __future__ import annotations

from pifai.core.errors import NotFound, ValidationFailed


class RegulatoryImportError(ValidationFailed):
    code = "regulatory_import_invalid"


class RegulatoryImportNotFound(NotFound):
    code = "regulatory_import_not_found"
