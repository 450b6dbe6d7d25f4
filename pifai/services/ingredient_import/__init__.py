"""Importing the ingredient reference dictionary: the curated CSV shipped with the
package (``curated``), the EU CosIng inventory export (``cosing``), the 2026 CosIng name
list (``cosing_names``) and China's IECIC 2021 (``iecic``), built into the shipped
dictionary (``build``, ``shipped``), all through one bulk-load path (``staging``: COPY
into a staging table, then set-based merges)."""

from pifai.services.ingredient_import.cosing import (
    CosingFormatError,
    CosingReport,
    import_cosing,
    parse_cosing,
)
from pifai.services.ingredient_import.cosing_names import (
    CosingNamesFormatError,
    CosingNamesReport,
    parse_cosing_names,
)
from pifai.services.ingredient_import.curated import (
    DATA_CSV,
    LoadReport,
    curated_csv_rows,
    load_reference_data,
    read_curated_csv,
)
from pifai.services.ingredient_import.iecic import (
    IecicEntry,
    IecicFormatError,
    IecicReport,
    attach_iecic,
    parse_iecic,
    to_traditional,
)
from pifai.services.ingredient_import.shipped import (
    ROWS_FILE,
    SOURCES_FILE,
    StartLoad,
    ensure_reference_data,
    load_shipped_dictionary,
    read_shipped,
    read_sources,
    shipped_digest,
)
from pifai.services.ingredient_import.staging import vacuum_ingredients

__all__ = [
    "DATA_CSV",
    "ROWS_FILE",
    "SOURCES_FILE",
    "CosingFormatError",
    "CosingNamesFormatError",
    "CosingNamesReport",
    "CosingReport",
    "IecicEntry",
    "IecicFormatError",
    "IecicReport",
    "LoadReport",
    "StartLoad",
    "attach_iecic",
    "curated_csv_rows",
    "ensure_reference_data",
    "import_cosing",
    "load_reference_data",
    "load_shipped_dictionary",
    "parse_cosing",
    "parse_cosing_names",
    "parse_iecic",
    "read_curated_csv",
    "read_shipped",
    "read_sources",
    "shipped_digest",
    "to_traditional",
    "vacuum_ingredients",
]
