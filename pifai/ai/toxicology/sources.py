"""What every toxicology source returns: a result that says what was found, that the
compound is not in the source, or that the source could not answer ("[source
unavailable]"). Callers never see a bare exception: clients turn their typed errors
into one of these."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

import httpx
from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_fixed,
)

UNAVAILABLE = "[source unavailable]"

T = TypeVar("T")


class SourceStatus(StrEnum):
    found = "found"
    not_found = "not_found"
    unavailable = "unavailable"


@dataclass(frozen=True)
class SourceResult:
    source: str
    status: SourceStatus
    message: str
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def cacheable(self) -> bool:
        """A definite answer (found, or not in the source) is kept; a failure never is."""
        return self.status is not SourceStatus.unavailable

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "status": self.status.value,
            "message": self.message,
            "data": self.data,
        }

    @classmethod
    def from_dict(cls, value: dict[str, Any]) -> SourceResult:
        return cls(
            source=str(value["source"]),
            status=SourceStatus(value["status"]),
            message=str(value["message"]),
            data=dict(value.get("data") or {}),
        )

    @classmethod
    def unavailable(cls, source: str, reason: str) -> SourceResult:
        return cls(source, SourceStatus.unavailable, f"{UNAVAILABLE}: {reason}")


class SourceError(Exception):
    """A typed failure of one request to a source."""


class NotInSource(SourceError):
    """The service answered that it has no such compound (404 / *.NotFound)."""


class SourceUnavailable(SourceError):
    """Busy (503 / *.ServerBusy), another server error, or a timeout: worth one retry."""


class MalformedBody(SourceError):
    """The service answered, but not in the shape it documents: not retried."""


def json_body(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError as exc:
        raise MalformedBody(f"HTTP {response.status_code}: the body is not JSON") from exc
    if not isinstance(body, dict):
        raise MalformedBody(f"HTTP {response.status_code}: the body is not a JSON object")
    return body


async def send(request: Callable[[], Awaitable[httpx.Response]], what: str) -> httpx.Response:
    """One request; a timeout or a connection failure becomes :class:`SourceUnavailable`."""
    try:
        return await request()
    except httpx.TimeoutException as exc:
        raise SourceUnavailable(f"timed out: {what}") from exc
    except httpx.TransportError as exc:
        raise SourceUnavailable(f"could not connect: {what}") from exc


async def with_one_retry(
    call: Callable[[], Awaitable[T]], *, attempts: int = 2, retry_wait: float = 0.2
) -> T:
    """``call()`` once, and once more when the source was busy or timed out (the issue's
    "one retry"); "not in the source" and a malformed body are answers, never retried."""
    retrying = AsyncRetrying(
        stop=stop_after_attempt(attempts),
        wait=wait_fixed(retry_wait),
        retry=retry_if_exception_type(SourceUnavailable),
        reraise=True,
    )
    async for attempt in retrying:
        with attempt:
            return await call()
    raise AssertionError("unreachable")  # pragma: no cover
