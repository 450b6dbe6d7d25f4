"""SQLAlchemy async engine, session factory, declarative base, and the transaction owner's
commit: work that must wait for the commit is registered on the session and run after it."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime

import structlog
from sqlalchemy import DateTime, MetaData, func
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from pifai.core.tenancy import ScopedConnection

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UUIDPk:
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )


def async_url(url: str) -> str:
    """Accept postgres://, postgresql:// or postgresql+asyncpg:// and return the asyncpg form."""
    parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


def asyncpg_dsn(url: str) -> str:
    """The libpq-style DSN asyncpg.connect() accepts (no SQLAlchemy driver suffix)."""
    parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def create_engine(url: str, *, pool_size: int = 10, max_overflow: int | None = None) -> AsyncEngine:
    """``max_overflow``: connections opened beyond ``pool_size`` under bursts (and closed
    after); by default as many again."""
    return create_async_engine(
        async_url(url),
        connect_args={"connection_class": ScopedConnection},
        pool_size=pool_size,
        max_overflow=pool_size if max_overflow is None else max_overflow,
        # No pre-ping: it costs a round trip per checkout; recycle old connections instead.
        pool_recycle=1800,
    )


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


log = structlog.get_logger(__name__)

AfterCommit = Callable[[], Awaitable[object]]
_AFTER_COMMIT = "pifai.after_commit"


def after_commit(session: AsyncSession, hook: AfterCommit) -> None:
    """Run ``hook`` once the session's transaction commits (publishing a queued task,
    calling an outside service, deleting a stored object); dropped if it rolls back.

    Services register; only the transaction's owner (the request's route, the worker)
    commits, with :func:`commit`."""
    session.info.setdefault(_AFTER_COMMIT, []).append(hook)


def pending_after_commit(session: AsyncSession) -> int:
    return len(session.info.get(_AFTER_COMMIT, ()))


async def commit(session: AsyncSession) -> None:
    """Commit, then run the hooks registered during the transaction, in order. A hook that
    writes (e.g. records that a task was published) opens a new transaction, committed
    here too. A failing hook is logged and the others still run: the data is committed,
    and each hook's work has a recovery path of its own (the queue's sweeper, the RAG
    back-fill)."""
    while True:
        await session.commit()
        hooks: list[AfterCommit] = session.info.pop(_AFTER_COMMIT, [])
        if not hooks:
            return
        for hook in hooks:
            try:
                await hook()
            except Exception:
                log.exception("after_commit.failed", hook=getattr(hook, "__qualname__", "?"))
        if not session.in_transaction() and _AFTER_COMMIT not in session.info:
            return


async def rollback(session: AsyncSession) -> None:
    """Roll back and drop the work that was waiting for a commit."""
    session.info.pop(_AFTER_COMMIT, None)
    await session.rollback()
