"""Client of the central RAG service: one knowledge base per product.

The whole platform is one RAG tenant; isolation between organisations is ours to keep, so
knowledge base ids are only ever taken from a product row found through the org check,
never from a caller. One shared ``httpx.AsyncClient`` per process keeps connections warm.

Only idempotent calls (DELETE) are retried: a retried POST could create a second knowledge
base or add a document twice, since the service offers no idempotency keys.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Final, Self, TypeVar
from urllib.parse import quote

import httpx
import structlog
from pydantic import BaseModel, ValidationError
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

from pifai.core.config import Settings
from pifai.core.errors import AppError
from pifai.schemas.rag import AskAnswer, KnowledgeBase, RagDocument, WikiCompileResult

log = structlog.get_logger(__name__)

API_KEY_HEADER: Final = "X-RAG-API-Key"
TENANT_HEADER: Final = "X-Tenant-ID"
_BODY_LIMIT: Final = 2000  # characters of an upstream body kept on an error
_RETRY_WAIT_MAX: Final = 8.0

M = TypeVar("M", bound=BaseModel)


class RagServiceError(AppError):
    """The RAG service failed, refused, timed out or answered something unusable.

    ``status`` is the upstream HTTP status (None for timeouts and connection errors) and
    ``body`` the upstream body (parsed JSON when possible), kept for logs, not for clients.
    """

    status_code = 502
    code = "rag_unavailable"

    def __init__(
        self, message: str, *, status: int | None = None, body: Any = None, retryable: bool = False
    ) -> None:
        super().__init__(message, details={"upstream_status": status})
        self.status = status
        self.body = body
        self.retryable = retryable


class RagNotConfigured(AppError):
    """A call on a client without RAG_API_BASE, RAG_API_KEY or RAG_TENANT_ID."""

    status_code = 503
    code = "rag_not_configured"


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
        return _parse(response, KnowledgeBase)

    async def delete_knowledge_base(self, kb_id: str, *, missing_ok: bool = True) -> None:
        """Delete a knowledge base; by default a 404 counts as done.

        A retried DELETE whose first attempt reached the service sees 404, so treating
        "already gone" as success is what makes the retry safe.
        """
        try:
            await self._request(
                "DELETE", f"/api/v1/knowledge-bases/{_segment(kb_id)}", idempotent=True
            )
        except RagServiceError as exc:
            if not (missing_ok and exc.status == 404):
                raise
            log.info("rag knowledge base already absent", kb_id=kb_id)

    async def ask(self, kb_id: str, question: str) -> AskAnswer:
        response = await self._request(
            "POST", "/api/v1/ask", json={"question": question, "knowledge_base_id": kb_id}
        )
        return _parse(response, AskAnswer)

    async def add_text(
        self,
        kb_id: str,
        content: str,
        *,
        title: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> RagDocument:
        payload = _document_payload(kb_id, title, metadata)
        payload["content"] = content
        response = await self._request("POST", "/api/v1/documents/text", json=payload)
        return _parse(response, RagDocument)

    async def add_url(
        self,
        kb_id: str,
        url: str,
        *,
        title: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> RagDocument:
        payload = _document_payload(kb_id, title, metadata)
        payload["url"] = url
        response = await self._request("POST", "/api/v1/documents/url", json=payload)
        return _parse(response, RagDocument)

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
        return _parse(response, RagDocument)

    async def compile_wiki(self, kb_id: str) -> WikiCompileResult:
        response = await self._request(
            "POST", f"/api/v1/knowledge-bases/{_segment(kb_id)}/wiki/compile"
        )
        return _parse(response, WikiCompileResult)

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
            return await _send_once(http, method, path, json=json, data=data, files=files)
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._max_attempts),
            # Exponential backoff plus jitter, so replicas retrying together spread out.
            wait=wait_exponential(multiplier=self._retry_wait, max=_RETRY_WAIT_MAX)
            + wait_random(0, self._retry_wait),
            retry=retry_if_exception(_is_retryable),
            before_sleep=_log_retry,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return await _send_once(http, method, path, json=json, data=data, files=files)
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


async def _send_once(
    http: httpx.AsyncClient,
    method: str,
    path: str,
    *,
    json: Any,
    data: Mapping[str, str] | None,
    files: Mapping[str, tuple[str, bytes, str]] | None,
) -> httpx.Response:
    try:
        response = await http.request(method, path, json=json, data=data, files=files)
    except httpx.TimeoutException as exc:
        raise RagServiceError(
            f"The RAG service did not answer {method} {path} in time ({type(exc).__name__}).",
            retryable=True,
        ) from exc
    except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
        raise RagServiceError(
            f"Could not reach the RAG service for {method} {path} ({type(exc).__name__}).",
            retryable=True,
        ) from exc
    except httpx.HTTPError as exc:
        # Misconfiguration (bad URL scheme, proxy errors): retrying cannot help.
        raise RagServiceError(
            f"RAG request {method} {path} failed ({type(exc).__name__}: {exc})."
        ) from exc
    if response.is_success:
        return response
    raise _status_error(method, path, response)


def _status_error(method: str, path: str, response: httpx.Response) -> RagServiceError:
    status = response.status_code
    body = _body(response)
    where = f"{method} {path}"
    if status == 400 and "tenant" in response.text.lower():
        message = (
            f"The RAG service rejected {where} with 400 because X-Tenant-ID is missing or "
            "invalid (it answers 400, not 401, for this); check RAG_TENANT_ID."
        )
    elif status in (401, 403):
        message = f"The RAG service refused the API key ({status}) for {where}; check RAG_API_KEY."
    elif status == 404:
        message = f"The RAG service has no such resource (404) for {where}."
    elif status == 429:
        message = f"The RAG service is rate limiting (429) {where}."
    elif status >= 500:
        message = f"The RAG service failed ({status}) on {where}."
    else:
        message = f"The RAG service rejected {where} with {status}."
    return RagServiceError(
        message, status=status, body=body, retryable=status >= 500 or status == 429
    )


def _body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text[:_BODY_LIMIT]


def _parse(response: httpx.Response, model: type[M]) -> M:
    body = _body(response)
    status = response.status_code
    if not isinstance(body, dict):
        raise RagServiceError(
            f"The RAG service answered {status} without a JSON object.", status=status, body=body
        )
    if body.get("status", "success") != "success":
        raise RagServiceError(
            f"The RAG service answered {status} with status {body.get('status')!r}.",
            status=status,
            body=body,
        )
    try:
        return model.model_validate(body.get("data") or {})
    except ValidationError as exc:
        raise RagServiceError(
            f"The RAG service answered {status} with an unexpected {model.__name__}: "
            f"{exc.error_count()} field error(s).",
            status=status,
            body=body,
        ) from exc


def _document_payload(
    kb_id: str, title: str | None, metadata: Mapping[str, Any] | None
) -> dict[str, Any]:
    payload: dict[str, Any] = {"knowledge_base_id": kb_id}
    if title is not None:
        payload["title"] = title
    if metadata:
        payload["metadata"] = dict(metadata)
    return payload


def _segment(kb_id: str) -> str:
    # A kb id is one path segment; quoting keeps "../" or "?" from reaching other routes.
    if not kb_id:
        raise ValueError("kb_id must not be empty")
    return quote(kb_id, safe="")


def _is_retryable(exc: BaseException) -> bool:
    return isinstance(exc, RagServiceError) and exc.retryable


def _log_retry(state: RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome else None
    log.info(
        "retrying rag request",
        attempt=state.attempt_number,
        status=getattr(exc, "status", None),
        error=str(exc),
    )


# Fail-soft wrappers: product creation and deletion never depend on RAG being up.


async def safe_create_kb(
    client: RagClient, org_id: uuid.UUID | str, product_id: uuid.UUID | str
) -> str | None:
    """The new knowledge base id, or None when RAG is off or failing (back-fill retries)."""
    if not client.is_configured:
        log.info("rag not configured; knowledge base not created", product_id=str(product_id))
        return None
    try:
        kb = await client.create_knowledge_base(org_id, product_id)
    except RagServiceError as exc:
        log.warning(
            "rag knowledge base creation failed",
            product_id=str(product_id),
            status=exc.status,
            error=exc.message,
        )
        return None
    except Exception:
        # The contract is "never raises"; an unexpected bug is logged loudly instead.
        log.exception("rag knowledge base creation crashed", product_id=str(product_id))
        return None
    return kb.id


async def safe_delete_kb(client: RagClient, kb_id: str) -> bool:
    """True when the knowledge base is gone, False when RAG is off or failing."""
    if not client.is_configured:
        log.info("rag not configured; knowledge base not deleted", kb_id=kb_id)
        return False
    try:
        await client.delete_knowledge_base(kb_id)
    except RagServiceError as exc:
        log.warning(
            "rag knowledge base deletion failed", kb_id=kb_id, status=exc.status, error=exc.message
        )
        return False
    except Exception:
        log.exception("rag knowledge base deletion crashed", kb_id=kb_id)
        return False
    return True
