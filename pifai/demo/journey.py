"""The demo journey over HTTP: from registration to the signed PIF PDF, every stage through
the API and the queue (the tasks are polled, never run here). Used by `pifai demo`, its
integration test and the end-to-end test, against whatever serves ``client``."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol

import httpx
import pyotp

API = "/api/v1"
PASSWORD = "demo-Passphrase-2026!"
# A token in a mailed link: .../verify-email?token=..., .../sa/invitations?token=...
_TOKEN_RE = re.compile(r"\?token=([A-Za-z0-9_\-.~%]+)")
# Stop polling a task that is waiting for a retry: its state is shown instead.
TASK_TIMEOUT_SECONDS = 180.0

# Reads the token of the newest mail to ``address`` whose link contains ``path``.
TokenReader = Callable[[str, str], Awaitable[str]]


class DemoError(RuntimeError):
    """A step of the journey did not answer as expected."""


class Reporter(Protocol):
    def started(self, stage: str) -> None: ...

    def finished(self, stage: str, seconds: float, detail: str) -> None: ...

    def note(self, text: str) -> None: ...


class SilentReporter:
    def started(self, stage: str) -> None:
        pass

    def finished(self, stage: str, seconds: float, detail: str) -> None:
        pass

    def note(self, text: str) -> None:
        pass


def _find_token(outbox: Path, address: str, path: str) -> str | None:
    for mail in sorted(outbox.glob("*.eml"), reverse=True):
        message = message_from_bytes(mail.read_bytes(), policy=policy.default)
        if not isinstance(message, EmailMessage):
            continue
        if address.lower() not in str(message["To"]).lower():
            continue
        body = message.get_body(preferencelist=("plain",))
        text = str(body.get_content()) if body is not None else ""
        for line in text.splitlines():
            found = _TOKEN_RE.search(line)
            if found and path in line:
                return found.group(1)
    return None


def outbox_reader(outbox: Path, timeout: float = 20.0) -> TokenReader:
    """Tokens from the .eml files the app writes without SMTP settings (DATA_DIR/outbox),
    parsed with the email module."""

    async def read(address: str, path: str) -> str:
        deadline = time.monotonic() + timeout
        while True:
            if token := await asyncio.to_thread(_find_token, outbox, address, path):
                return token
            if time.monotonic() > deadline:
                raise DemoError(f"no mail with a {path} link to {address} in {outbox}")
            await asyncio.sleep(0.1)

    return read


@dataclass
class User:
    email: str
    token: str = ""
    totp_secret: str | None = None
    # The last TOTP time step spent: a code is never accepted twice.
    last_step: int | None = None

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def totp_code(self) -> str:
        """The earliest code the server accepts now (one step of drift either way), waiting
        for the next time step when this window's codes are spent."""
        assert self.totp_secret
        totp = pyotp.TOTP(self.totp_secret)
        while True:
            current = totp.timecode(datetime.now(UTC))
            step = current - 1 if self.last_step is None else max(current - 1, self.last_step + 1)
            if step <= current + 1:
                self.last_step = step
                return totp.generate_otp(step)
            await asyncio.sleep(1.0)


@dataclass
class Findings:
    compliance: list[dict[str, Any]]
    consistency: list[dict[str, Any]]
    red_claims: list[str]

    @property
    def total(self) -> int:
        return len(self.compliance) + len(self.consistency) + len(self.red_claims)


@dataclass
class Result:
    product_id: str = ""
    review_id: str = ""
    ingredients: int = 0
    resolved: int = 0
    # What the row known only by its Chinese name resolved to.
    chinese_only_inci: str | None = None
    before: Findings | None = None
    after: Findings | None = None
    lowest_mos: tuple[str, float] | None = None
    verdict: str = ""
    toxicology: str = ""
    signed_version: int = 0
    snapshot_sha256: str = ""
    pdf: bytes = b""
    pdf_sha256: str = ""
    stages: list[tuple[str, float]] = field(default_factory=list)
    users: dict[str, User] = field(default_factory=dict)
    tasks: list[str] = field(default_factory=list)


class Journey:
    def __init__(
        self,
        client: httpx.AsyncClient,
        read_token: TokenReader,
        reporter: Reporter | None = None,
        *,
        suffix: str | None = None,
        poll_seconds: float = 0.1,
    ) -> None:
        self.client = client
        self.read_token = read_token
        self.reporter = reporter or SilentReporter()
        # Unique addresses and names: the journey can run again on the same database.
        self.suffix = suffix or uuid.uuid4().hex[:8]
        self.poll_seconds = poll_seconds
        self.result = Result()
        self.today = date.today()
        # Called between stages (the end-to-end test kills and restarts processes there).
        self.hooks: dict[str, Callable[[], Awaitable[None]]] = {}

    # --- plumbing -------------------------------------------------------------------

    @asynccontextmanager
    async def stage(self, name: str) -> AsyncIterator[list[str]]:
        self.reporter.started(name)
        detail: list[str] = []
        begun = time.perf_counter()
        yield detail
        seconds = time.perf_counter() - begun
        self.result.stages.append((name, seconds))
        self.reporter.finished(name, seconds, "; ".join(detail))
        if hook := self.hooks.get(name):
            await hook()

    async def call(
        self,
        method: str,
        path: str,
        user: User | None = None,
        *,
        expect: tuple[int, ...] = (200,),
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> Any:
        sent = {**(user.headers if user else {}), **(headers or {})}
        url = path if path.startswith("/") and path.startswith(API) else f"{API}{path}"
        for attempt in range(40):
            try:
                response = await self.client.request(method, url, headers=sent, **kwargs)
            except httpx.TransportError:
                # An API process restarting (the end-to-end test): try again shortly.
                if attempt == 39:
                    raise
                await asyncio.sleep(0.25)
                continue
            if response.status_code in (502, 503) and attempt < 39:
                await asyncio.sleep(0.25)
                continue
            break
        if response.status_code not in expect:
            raise DemoError(f"{method} {url}: {response.status_code} {response.text[:500]}")
        if not response.content:
            return None
        if response.headers.get("content-type", "").startswith("application/json"):
            return response.json()
        return response.content

    async def wait_task(self, task_id: str, user: User, *, give_up_on_retry: bool = False) -> Any:
        """Poll GET /api/v1/tasks/{id} until the task ends (or, with ``give_up_on_retry``,
        until it failed an attempt and waits for a retry)."""
        self.result.tasks.append(task_id)
        deadline = time.monotonic() + TASK_TIMEOUT_SECONDS
        while True:
            task = await self.call("GET", f"/tasks/{task_id}", user)
            if task["status"] in ("done", "failed", "cancelled"):
                return task
            if give_up_on_retry and task["status"] == "pending" and task["error"]:
                return task
            if time.monotonic() > deadline:
                raise DemoError(f"task {task['kind']} {task_id} still {task['status']}")
            await asyncio.sleep(self.poll_seconds)

    async def wait_done(self, task_id: str, user: User) -> dict[str, Any]:
        task: dict[str, Any] = await self.wait_task(task_id, user)
        if task["status"] != "done":
            raise DemoError(f"task {task['kind']} ended {task['status']}: {task['error']}")
        return task

    async def pending_tasks(self, user: User, kind: str) -> list[str]:
        page = await self.call("GET", f"/tasks?kind={kind}&limit=100", user)
        return [t["id"] for t in page["items"] if t["id"] not in self.result.tasks]

    async def upload(self, user: User, item: int, name: str, content: bytes) -> None:
        await self.call(
            "POST",
            f"/products/{self.result.product_id}/pif/upload",
            user,
            expect=(201,),
            data={"item_number": str(item)},
            files={"file": (name, content)},
        )

    def product(self, tail: str) -> str:
        return f"/products/{self.result.product_id}{tail}"
