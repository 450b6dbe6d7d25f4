"""job names: task kinds are named <context>.<verb> (formula_extract -> formula.extract,
noop -> system.noop)

A task's stream is named after its kind (``queue:<kind>``), so the entries of renamed
unfinished tasks wait in streams no worker reads any more (``queue:formula_extract``,
``queue:noop``; retries waiting in ``queue:delayed`` are promoted to those too). Rather
than move entries in Redis, this makes the rows undelivered again: pending rows get
``published_at`` NULL, so the worker's sweeper republishes them to their new streams
(a retry republished early is put back in ``queue:delayed`` by the worker that sees it
is not due). Processing rows whose worker drained or died before the upgrade have their
only entry in an old stream, where nothing would reclaim it: they return to pending
with their claim token cleared, so a late finish of an old worker is fenced off and the
task runs again under its new name. The old streams are left for Redis to keep; they
receive nothing new. Downgrade renames back the same way.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RENAMED = (("formula_extract", "formula.extract"), ("noop", "system.noop"))

_RENAME = sa.text(
    """
    UPDATE tasks SET kind = :new,
      status = CASE WHEN status = 'processing' THEN 'pending' ELSE status END,
      claim_token = CASE WHEN status = 'processing' THEN NULL ELSE claim_token END,
      published_at = CASE WHEN status IN ('pending', 'processing') THEN NULL
                          ELSE published_at END,
      updated_at = now()
    WHERE kind = :old
    """
)


def _rename(pairs: Sequence[tuple[str, str]]) -> None:
    for old, new in pairs:
        op.execute(_RENAME.bindparams(old=old, new=new))


def upgrade() -> None:
    _rename(RENAMED)


def downgrade() -> None:
    _rename([(new, old) for old, new in RENAMED])
