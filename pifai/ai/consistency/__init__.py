"""The cross-item consistency check of a PIF: pure rules over a snapshot of its items."""

from pifai.ai.consistency.check import RULES, RuleInfo, check_consistency
from pifai.ai.consistency.model import (
    SEVERITY_ORDER,
    Alert,
    FormulaLine,
    LegalRef,
    PifSnapshot,
    RequiredWarning,
    Severity,
    keys,
)

__all__ = [
    "RULES",
    "SEVERITY_ORDER",
    "Alert",
    "FormulaLine",
    "LegalRef",
    "PifSnapshot",
    "RequiredWarning",
    "RuleInfo",
    "Severity",
    "check_consistency",
    "keys",
]
