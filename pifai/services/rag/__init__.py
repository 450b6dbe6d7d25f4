"""The central RAG service: its client, and the fail-soft calls the product lifecycle uses."""

from pifai.services.rag.client import RagClient, kb_name
from pifai.services.rag.fail_soft import safe_create_kb, safe_delete_kb
from pifai.services.rag.http import RagNotConfigured, RagServiceError

__all__ = [
    "RagClient",
    "RagNotConfigured",
    "RagServiceError",
    "kb_name",
    "safe_create_kb",
    "safe_delete_kb",
]
