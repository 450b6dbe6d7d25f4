"""The regulated-substance store: shipped data, importers, change reports, snapshots.

- ``snapshots``: the shipped data files, their idempotent load, and the engine's
  in-memory snapshot of the store (rebuilt only when the store changed).
- ``cosing_annex``, ``tfda_opendata`` and ``tfda_files``: the official files read into
  records (the EU CosIng annex exports; TFDA's own open-data records in Chinese, their
  limit text read by ``limits_zh``; the documented CSV/JSON format for TFDA lists, see
  ``pifai/data/regulatory/README.md``), with limits read by ``limits`` (and the
  annexes' product categories by ``product_types``) out of free text.
- ``shipped_build``: the shipped data rebuilt from the official exports and the curation.
- ``sync``: the store brought to a set of records; ``changes``: what an import changed.
- ``service``: list status, import reports, a product's compliance, the admin's sync.
"""

from pifai.services.regulatory.changes import ChangeReport, content_hash
from pifai.services.regulatory.cosing_annex import ANNEX_LIST_TYPES, parse_cosing_annex
from pifai.services.regulatory.errors import RegulatoryImportError, RegulatoryImportNotFound
from pifai.services.regulatory.limits import (
    ParsedConditions,
    parse_conditions,
    parse_value,
    strip_disclosure,
)
from pifai.services.regulatory.limits_zh import ZhParse, parse_limits_zh, parse_prohibited_note
from pifai.services.regulatory.service import (
    data_health,
    get_import,
    sync_from_request,
    sync_status,
)
from pifai.services.regulatory.snapshots import (
    REGULATORY_DIR,
    build_snapshot,
    load_shipped,
    load_shipped_records,
    shipped_snapshot,
)
from pifai.services.regulatory.sync import import_file, sync_records
from pifai.services.regulatory.tfda_files import TFDA_CSV_COLUMNS, parse_tfda_file
from pifai.services.regulatory.tfda_opendata import (
    ParseReport,
    TfdaParse,
    is_tfda_opendata,
    parse_tfda_opendata,
)

__all__ = [
    "ANNEX_LIST_TYPES",
    "REGULATORY_DIR",
    "TFDA_CSV_COLUMNS",
    "ChangeReport",
    "ParseReport",
    "ParsedConditions",
    "RegulatoryImportError",
    "RegulatoryImportNotFound",
    "TfdaParse",
    "ZhParse",
    "build_snapshot",
    "content_hash",
    "data_health",
    "get_import",
    "import_file",
    "is_tfda_opendata",
    "load_shipped",
    "load_shipped_records",
    "parse_conditions",
    "parse_cosing_annex",
    "parse_limits_zh",
    "parse_prohibited_note",
    "parse_tfda_file",
    "parse_tfda_opendata",
    "parse_value",
    "shipped_snapshot",
    "strip_disclosure",
    "sync_from_request",
    "sync_records",
    "sync_status",
]
