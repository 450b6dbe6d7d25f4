"""The PIF context: the 16 items and their state machine (``items``), their analysis
(``analysis``), their files (``files``) and how uploads are checked (``uploads``)."""

from pifai.services.pif.items import (
    ITEMS,
    PROGRESS_WEIGHT,
    TRANSITIONS,
    IllegalTransition,
    ItemDefinition,
    ItemNotFound,
    check_item_number,
    confidence_band,
    content_json_schemas,
    current_files_for_org,
    get_document_for_org,
    get_documents_for_org,
    new_documents,
    progress,
    transition,
    update_item,
    validate_content,
)

__all__ = [
    "ITEMS",
    "PROGRESS_WEIGHT",
    "TRANSITIONS",
    "IllegalTransition",
    "ItemDefinition",
    "ItemNotFound",
    "check_item_number",
    "confidence_band",
    "content_json_schemas",
    "current_files_for_org",
    "get_document_for_org",
    "get_documents_for_org",
    "new_documents",
    "progress",
    "transition",
    "update_item",
    "validate_content",
]
