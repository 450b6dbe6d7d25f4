"""The RAG service's HTTP layer: errors, responses read into our schemas, retries of
idempotent calls. Only idempotent calls (DELETE) are retried: a retried POST could create
a second knowledge base or add a document twice, since the service offers no idempotency
keys."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, TypeVar
from urllib.parse import quote

import httpx
import structlog
from pydantic import BaseModel, ValidationError
from tenacity import (
    RetryCallState,
)

from pifai.core.errors import AppError

log = structlog.get_logger(__name__)


API_KEY_HEADER: Final = "X-RAG-API-Key"


TENANT_HEADER: Final = "X-Tenant-ID"


BODY_LIMIT: Final = 2000  # characters of an upstream body kept on an error


RETRY_WAIT_MAX: Final = 8.0


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


async def send_once(
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
    raise status_error(method, path, response)


def status_error(method: str, path: str, response: httpx.Response) -> RagServiceError:
    status = response.status_code
    body = body_of(response)
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


def body_of(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text[:BODY_LIMIT]


def parse(response: httpx.Response, model: type[M]) -> M:
    body = body_of(response)
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


def document_payload(
    kb_id: str, title: str | None, metadata: Mapping[str, Any] | None
) -> dict[str, Any]:
    payload: dict[str, Any] = {"knowledge_base_id": kb_id}
    if title is not None:
        payload["title"] = title
    if metadata:
        payload["metadata"] = dict(metadata)
    return payload


def segment(kb_id: str) -> str:
    # A kb id is one path segment; quoting keeps "../" or "?" from reaching other routes.
    if not kb_id:
        raise ValueError("kb_id must not be empty")
    return quote(kb_id, safe="")


def is_retryable(exc: BaseException) -> bool:
    return isinstance(exc, RagServiceError) and exc.retryable


def log_retry(state: RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome else None
    log.info(
        "retrying rag request",
        attempt=state.attempt_number,
        status=getattr(exc, "status", None),
        error=str(exc),
    )
