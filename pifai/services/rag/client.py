"""Client of the central RAG service: one knowledge base per product.

The whole platform is one RAG tenant; isolation between organisations is ours to keep, so
knowledge base ids are only ever taken from a product row found through the org check,
never from a caller. One shared ``httpx.AsyncClient`` per process keeps connections warm."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Self

import httpx
import structlog
from tenacity import (
    AsyncRetrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

from pifai.core.config import Settings
from pifai.schemas.rag import AskAnswer, KnowledgeBase, RagDocument, WikiCompileResult
from pifai.services.rag.http import (
    API_KEY_HEADER,
    RETRY_WAIT_MAX,
    TENANT_HEADER,
    RagNotConfigured,
    RagServiceError,
    document_payload,
    is_retryable,
    log_retry,
    parse,
    segment,
    send_once,
)

log = structlog.get_logger(__name__)


def kb_name(prefix: str, org_id: uuid.UUID | str, product_id: uuid.UUID | str) -> str:
    return f"{prefix}_{org_id}_{product_id}"


class RagClient:
    def __init__(
        self,
        *,
        base_url: str | None,
        api_key: str | None,
        tenant_id: str | None,
        timeout_seconds: float = 10.0,
        kb_name_prefix: str = "pifai",
        transport: httpx.AsyncBaseTransport | None = None,
        retry_wait_seconds: float = 0.5,
        max_attempts: int = 3,
    ) -> None:
        self.kb_name_prefix = kb_name_prefix
        self._retry_wait = retry_wait_seconds
        self._max_attempts = max_attempts
        self._closed = False
        self._http: httpx.AsyncClient | None = None
        if base_url and api_key and tenant_id:
            self._http = httpx.AsyncClient(
                base_url=base_url,
                headers={
                    API_KEY_HEADER: api_key,
                    TENANT_HEADER: tenant_id,
                    "Accept": "application/json",
                },
                timeout=httpx.Timeout(timeout_seconds),
                # One upstream shared by every request of the process: keep a modest pool.
                limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
                transport=transport,
            )

    @property
    def is_configured(self) -> bool:
        return self._http is not None

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        retry_wait_seconds: float = 0.5,
    ) -> RagClient:
        key = settings.rag_api_key.get_secret_value() if settings.rag_api_key else None
        return cls(
            base_url=settings.rag_api_base,
            api_key=key,
            tenant_id=settings.rag_tenant_id,
            timeout_seconds=settings.rag_timeout_seconds,
            kb_name_prefix=settings.rag_kb_name_prefix,
            transport=transport,
            retry_wait_seconds=retry_wait_seconds,
        )

    async def aclose(self) -> None:
        self._closed = True
        if self._http is not None:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # Operations

    async def create_knowledge_base(
        self,
        org_id: uuid.UUID | str,
        product_id: uuid.UUID | str,
        *,
        description: str | None = None,
    ) -> KnowledgeBase:
        payload: dict[str, Any] = {
            "name": kb_name(self.kb_name_prefix, org_id, product_id),
            "metadata": {"pif_org_id": str(org_id), "pif_product_id": str(product_id)},
        }
        if description is not None:
            payload["description"] = description
        response = await self._request("POST", "/api/v1/knowledge-bases", json=payload)
        return parse(response, KnowledgeBase)

    async def delete_knowledge_base(self, kb_id: str, *, missing_ok: bool = True) -> None:
        """Delete a knowledge base; by default a 404 counts as done.

        A retried DELETE whose first attempt reached the service sees 404, so treating
        "already gone" as success is what makes the retry safe.
        """
        try:
            await self._request(
                "DELETE", f"/api/v1/knowledge-bases/{segment(kb_id)}", idempotent=True
            )
        except RagServiceError as exc:
            if not (missing_ok and exc.status == 404):
                raise
            log.info("rag knowledge base already absent", kb_id=kb_id)

    async def ask(self, kb_id: str, question: str) -> AskAnswer:
        response = await self._request(
            "POST", "/api/v1/ask", json={"question": question, "knowledge_base_id": kb_id}
        )
        return parse(response, AskAnswer)

    async def add_text(
        self,
        kb_id: str,
        content: str,
        *,
        title: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> RagDocument:
        payload = document_payload(kb_id, title, metadata)
        payload["content"] = content
        response = await self._request("POST", "/api/v1/documents/text", json=payload)
        return parse(response, RagDocument)

    async def add_url(
        self,
        kb_id: str,
        url: str,
        *,
        title: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> RagDocument:
        payload = document_payload(kb_id, title, metadata)
        payload["url"] = url
        response = await self._request("POST", "/api/v1/documents/url", json=payload)
        return parse(response, RagDocument)

    async def add_file(
        self,
        kb_id: str,
        filename: str,
        content: bytes,
        *,
        content_type: str = "application/octet-stream",
        title: str | None = None,
    ) -> RagDocument:
        form = {"knowledge_base_id": kb_id}
        if title is not None:
            form["title"] = title
        response = await self._request(
            "POST",
            "/api/v1/documents/file",
            data=form,
            files={"file": (filename, content, content_type)},
        )
        return parse(response, RagDocument)

    async def compile_wiki(self, kb_id: str) -> WikiCompileResult:
        response = await self._request(
            "POST", f"/api/v1/knowledge-bases/{segment(kb_id)}/wiki/compile"
        )
        return parse(response, WikiCompileResult)

    # Transport

    async def _request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: Mapping[str, str] | None = None,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
        idempotent: bool = False,
    ) -> httpx.Response:
        http = self._require()
        if not idempotent:
            return await send_once(http, method, path, json=json, data=data, files=files)
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._max_attempts),
            # Exponential backoff plus jitter, so replicas retrying together spread out.
            wait=wait_exponential(multiplier=self._retry_wait, max=RETRY_WAIT_MAX)
            + wait_random(0, self._retry_wait),
            retry=retry_if_exception(is_retryable),
            before_sleep=log_retry,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return await send_once(http, method, path, json=json, data=data, files=files)
        raise AssertionError("unreachable: tenacity re-raises the last error")

    def _require(self) -> httpx.AsyncClient:
        if self._http is None:
            raise RagNotConfigured(
                "The RAG service is not configured: set RAG_API_BASE, RAG_API_KEY and "
                "RAG_TENANT_ID."
            )
        if self._closed:
            raise RagServiceError("The RAG client has been closed.")
        return self._http
