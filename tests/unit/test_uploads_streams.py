"""Upload streams: the size limit while reading, the plaintext digest and copy."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator

import pytest

from pifai.core.errors import PayloadTooLarge
from pifai.services.pif.uploads import StreamCopy, StreamDigest, limit_stream
from tests.factories.files import aiter_of, collect, pieces

MB = 1024 * 1024


async def test_limit_stream_passes_up_to_the_limit() -> None:
    data = b"x" * 1000
    assert await collect(limit_stream(aiter_of(pieces(data, 7)), 1000)) == data


async def test_limit_stream_stops_as_soon_as_the_limit_is_crossed() -> None:
    chunk = b"\x00" * MB
    consumed = 0
    passed = 0

    async def body() -> AsyncIterator[bytes]:  # a 60 MB upload
        nonlocal consumed
        for _ in range(60):
            consumed += 1
            yield chunk

    with pytest.raises(PayloadTooLarge) as info:
        async for piece in limit_stream(body(), 50 * MB):
            passed += len(piece)
    assert consumed == 51  # stopped at the chunk that crossed 50 MB, the rest never read
    assert passed == 50 * MB
    assert info.value.status_code == 413
    assert "50 MB" in info.value.message
    assert info.value.details == {"max_bytes": 50 * MB}


async def test_limit_stream_one_byte_over() -> None:
    with pytest.raises(PayloadTooLarge):
        await collect(limit_stream(aiter_of([b"a" * 10, b"b"]), 10))


async def test_stream_digest() -> None:
    digest = StreamDigest()
    data = b"formula bytes" * 1000
    assert await collect(digest.wrap(aiter_of(pieces(data, 333)))) == data
    assert digest.size == len(data)
    assert digest.sha256 == hashlib.sha256(data).hexdigest()


async def test_stream_copy_keeps_what_passed_through() -> None:
    copy = StreamCopy(max_bytes=1000)
    data = b"Stable at 40C " * 50
    assert await collect(copy.wrap(aiter_of(pieces(data, 64)))) == data
    assert copy.take() == data


async def test_stream_copy_keeps_nothing_past_its_bound_but_passes_everything() -> None:
    copy = StreamCopy(max_bytes=100)
    data = b"x" * 101
    assert await collect(copy.wrap(aiter_of(pieces(data, 10)))) == data
    assert copy.take() is None
    exact = StreamCopy(max_bytes=100)
    assert await collect(exact.wrap(aiter_of([b"y" * 100]))) == b"y" * 100
    assert exact.take() == b"y" * 100
