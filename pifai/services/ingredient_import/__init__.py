"""Importing the ingredient reference dictionary: the curated CSV shipped with the
package (``curated``) and the EU CosIng inventory export (``cosing``), both through one
bulk-load path (``staging``: COPY into a staging table, then set-based merges)."""

from pifai.services.ingredient_import.cosing import (
    CosingFormatError,
    CosingReport,
    import_cosing,
    parse_cosing,
)
from pifai.services.ingredient_import.curated import (
    DATA_CSV,
    LoadReport,
    curated_csv_rows,
    ensure_reference_data,
    load_reference_data,
    read_curated_csv,
)
from pifai.services.ingredient_import.staging import vacuum_ingredients

__all__ = [
    "DATA_CSV",
    "CosingFormatError",
    "CosingReport",
    "LoadReport",
    "curated_csv_rows",
    "ensure_reference_data",
    "import_cosing",
    "load_reference_data",
    "parse_cosing",
    "read_curated_csv",
    "vacuum_ingredients",
]
