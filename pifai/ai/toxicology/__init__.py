"""Toxicology: the cited reference data (exposure, NOAEL, TTC, conclusions)."""
