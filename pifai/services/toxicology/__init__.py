"""Toxicology: the shared cache of public sources' answers."""
