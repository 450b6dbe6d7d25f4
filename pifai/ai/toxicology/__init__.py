"""Toxicology of the ingredients.

- ``reference``: the cited reference data shipped in ``pifai/data/toxicology`` (SCCS
  exposure rows, NOAELs, dermal absorption, TTC thresholds, conclusions).
- ``pubchem`` and ``echa``: the external sources (identity, molecular data, GHS; the
  harmonised classification), each answer a ``sources.SourceResult`` that says found,
  not in the source, or "[source unavailable]"; ``ratelimit``: PubChem's 5 requests/s
  held across processes.
"""
