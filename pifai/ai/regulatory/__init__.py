"""The regulatory rule engine: a formula and a product type in, cited findings out.

Pure and fast: it works on an in-memory :class:`RegulatorySnapshot` of the store (built
once from the shipped data or the database, rebuilt after an import) and does no I/O.

Severities (issue 8):

- ``critical``: a prohibited substance, at any concentration.
- ``high``: over a limit; a preservative, UV filter or colorant not on the positive list
  for the way it is used; wrong product type or body site; not for children under 3;
  a group limit (parabens...) exceeded; a CMR 1A/1B substance no entry permits.
- ``advisory``: the TFDA rule is met but the EU rule is stricter.
- ``info``: label disclosure required (fragrance allergens), warnings to print, missing
  data. A disclosure threshold is never treated as a limit.

Modules: ``entries`` (the entries and their scopes), ``snapshot`` (the indexed store and
name resolution), ``uses`` (a formula row and the entries that govern its use),
``rules`` (one function per rule), ``check`` (a formula through the rules), ``results``
(formula items, resolutions, findings).
"""

from pifai.ai.regulatory.check import check_formula
from pifai.ai.regulatory.entries import SCOPE_TAGS, RegEntry, entry_key, expand_scope
from pifai.ai.regulatory.results import (
    CheckResult,
    Finding,
    FormulaItem,
    Resolution,
    Severity,
    UnknownProductType,
)
from pifai.ai.regulatory.snapshot import RegulatorySnapshot

__all__ = [
    "SCOPE_TAGS",
    "CheckResult",
    "Finding",
    "FormulaItem",
    "RegEntry",
    "RegulatorySnapshot",
    "Resolution",
    "Severity",
    "UnknownProductType",
    "check_formula",
    "entry_key",
    "expand_scope",
]
