"""External toxicology sources (PubChem, ECHA CHEM) and what they return."""
