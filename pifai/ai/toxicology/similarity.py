"""Structural similarity of two molecules, for the read-across rung: Tanimoto on Morgan
fingerprints (radius 2, 2048 bits) computed by RDKit from their SMILES."""

from __future__ import annotations

from functools import lru_cache

from rdkit import Chem, DataStructs, rdBase
from rdkit.Chem import rdFingerprintGenerator

METHOD = "Tanimoto on Morgan fingerprints (radius 2, 2048 bits, RDKit)"

# RDKit prints parse errors to stderr; an unparsable SMILES is an answer (None) here.
rdBase.DisableLog("rdApp.*")


@lru_cache(maxsize=1)
def _generator() -> rdFingerprintGenerator.FingerprintGenerator64:
    return rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=2048)


def tanimoto(smiles_a: str, smiles_b: str) -> float | None:
    """0..1, or None when either SMILES cannot be read."""
    a, b = Chem.MolFromSmiles(smiles_a), Chem.MolFromSmiles(smiles_b)
    if a is None or b is None:
        return None
    generator = _generator()
    similarity = DataStructs.TanimotoSimilarity(
        generator.GetFingerprint(a), generator.GetFingerprint(b)
    )
    return round(float(similarity), 3)
