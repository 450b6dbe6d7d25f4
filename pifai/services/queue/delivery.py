"""A stream entry as the worker holds it, from read to ack."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import structlog

log = structlog.get_logger("pifai.worker")

# Why a running job was cancelled: its claim was taken over, the user cancelled it, or
# the worker is shutting down.
CancelReason = Literal["lost", "cancel", "shutdown"]


class ClaimLost(Exception):
    """Another worker took this task over; this one must not write its outcome."""


@dataclass(frozen=True)
class Delivery:
    kind: str
    entry_id: str
    task_id: uuid.UUID
    org_id: uuid.UUID
    reclaimed: bool

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.entry_id)


@dataclass
class Running:
    delivery: Delivery
    started: float
    job: asyncio.Task[None] | None = None
    cancel_reason: CancelReason | None = None

    def cancel(self, reason: CancelReason) -> None:
        self.cancel_reason = reason
        if self.job is not None:
            self.job.cancel()


def parse_entries(kind: str, entries: Sequence[Any], *, reclaimed: bool) -> list[Delivery]:
    out = []
    for entry_id, fields in entries:
        if not fields:  # deleted while pending
            continue
        try:
            out.append(
                Delivery(
                    kind,
                    entry_id,
                    uuid.UUID(fields["task"]),
                    uuid.UUID(fields["org"]),
                    reclaimed,
                )
            )
        except (KeyError, ValueError):
            log.warning("queue.bad_entry", kind=kind, entry_id=entry_id, fields=fields)
    return out
