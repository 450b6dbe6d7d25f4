"""Labels and claims of a product: ``check`` (reads the label, writes nothing),
``acknowledge`` (stores the verdicts as shown), ``records`` (the stored verdicts, which
the consistency check reads)."""
