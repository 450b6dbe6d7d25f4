"""Uploaded byte streams: the size limit while reading, the plaintext digest, and the
bounded plaintext copy that text extraction reads."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterable, AsyncIterator
from typing import Any

from pifai.core.errors import PayloadTooLarge


def too_large(max_bytes: int, **details: Any) -> PayloadTooLarge:
    """The 413 for an upload over ``max_bytes``, however it was found out."""
    return PayloadTooLarge(
        f"The file is larger than the {max_bytes / (1024 * 1024):g} MB upload limit.",
        details={"max_bytes": max_bytes, **details},
    )


async def limit_stream(chunks: AsyncIterable[bytes], max_bytes: int) -> AsyncIterator[bytes]:
    """Pass chunks through; raise PayloadTooLarge as soon as more than max_bytes arrived
    (the chunk that crosses the limit is not yielded, nothing after it is read)."""
    total = 0
    async for chunk in chunks:
        total += len(chunk)
        if total > max_bytes:
            raise too_large(max_bytes)
        yield chunk


class StreamDigest:
    """SHA-256 and size of the bytes that pass through :meth:`wrap` (the plaintext)."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()
        self.size = 0

    async def wrap(self, chunks: AsyncIterable[bytes]) -> AsyncIterator[bytes]:
        async for chunk in chunks:
            self._hash.update(chunk)
            self.size += len(chunk)
            yield chunk

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()


class StreamCopy:
    """The bytes that pass through :meth:`wrap`, kept in memory up to ``max_bytes``.

    For reading what was just uploaded (its text) without fetching it back from storage.
    A stream longer than ``max_bytes`` keeps nothing: :meth:`take` then returns None,
    because a cut-off document cannot be read reliably.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._parts: list[bytes] | None = []
        self._size = 0

    async def wrap(self, chunks: AsyncIterable[bytes]) -> AsyncIterator[bytes]:
        async for chunk in chunks:
            if self._parts is not None:
                self._size += len(chunk)
                if self._size > self.max_bytes:
                    self._parts = None
                else:
                    self._parts.append(chunk)
            yield chunk

    def take(self) -> bytes | None:
        """The bytes kept, joined once; the copy lets go of its parts."""
        parts, self._parts = self._parts, None
        return b"".join(parts) if parts is not None else None
