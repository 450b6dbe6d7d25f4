"""The streaming multipart parser and the Content-Length guard of the upload route."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pifai.api.multipart import check_content_length, open_multipart_file
from pifai.core.errors import PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from pifai.services.pif.uploads import check_upload, limit_stream
from tests.factories.files import aiter_of, collect, image, pdf, pieces

MB = 1024 * 1024
PDF = pdf()
PNG = image("PNG")


def test_check_content_length() -> None:
    check_content_length(None, 50 * MB)
    check_content_length("garbage", 50 * MB)
    check_content_length(str(50 * MB + 1000), 50 * MB)  # multipart envelope allowance
    with pytest.raises(PayloadTooLarge):
        check_content_length(str(51 * MB), 50 * MB)


def multipart(
    fields: dict[str, str], filename: str, content: bytes, mime: str = "application/pdf"
) -> tuple[bytes, str]:
    """A real multipart body and Content-Type, built by httpx (independent of our parser)."""
    request = httpx.Request(
        "POST", "http://test/upload", data=fields, files={"file": (filename, content, mime)}
    )
    return request.read(), request.headers["content-type"]


async def test_multipart_streams_the_file_with_fields_before_it() -> None:
    content = PDF + os.urandom(300_000)
    body, ctype = multipart({"item_number": "3", "note": "第二版"}, "配方表.pdf", content)
    upload = await open_multipart_file(aiter_of(pieces(body, 4096)), ctype)
    assert upload.fields == {"item_number": "3", "note": "第二版"}
    assert upload.filename == "配方表.pdf"
    assert upload.content_type == "application/pdf"
    assert await collect(upload.chunks) == content


@settings(max_examples=40, deadline=None)
@given(size=st.integers(1, 3000), content=st.binary(max_size=5000))
def test_multipart_any_chunking(size: int, content: bytes) -> None:
    body, ctype = multipart({"item_number": "11"}, "r.pdf", content)

    async def go() -> tuple[dict[str, str], bytes]:
        upload = await open_multipart_file(aiter_of(pieces(body, size)), ctype)
        return upload.fields, await collect(upload.chunks)

    assert asyncio.run(go()) == ({"item_number": "11"}, content)


async def test_multipart_51_mb_is_refused_after_the_limit_not_at_the_end() -> None:
    content = b"\x00" * (51 * MB)
    body, ctype = multipart({"item_number": "3"}, "big.pdf", content)
    read = 0

    async def request_stream() -> AsyncIterator[bytes]:
        nonlocal read
        for piece in pieces(body, MB):
            read += len(piece)
            yield piece

    upload = await open_multipart_file(request_stream(), ctype)
    with pytest.raises(PayloadTooLarge):
        await collect(limit_stream(upload.chunks, 50 * MB))
    assert read < len(body)
    assert read <= 50 * MB + 2 * MB


async def test_multipart_cut_off_body_fails_instead_of_ending_the_file() -> None:
    body, ctype = multipart({}, "r.pdf", PDF)
    upload = await open_multipart_file(aiter_of([body[: len(body) - 60]]), ctype)
    with pytest.raises(ValidationFailed, match="ended before"):
        await collect(upload.chunks)


async def test_multipart_errors() -> None:
    body, ctype = multipart({"item_number": "3"}, "r.pdf", PDF)
    with pytest.raises(UnsupportedMediaType):
        await open_multipart_file(aiter_of([body]), "application/json")
    with pytest.raises(ValidationFailed, match="no file"):
        await open_multipart_file(aiter_of([body]), ctype, file_field="document")
    with pytest.raises(ValidationFailed, match="too long"):
        await open_multipart_file(aiter_of([body]), ctype, max_field_bytes=0)
    with pytest.raises(ValidationFailed):
        await open_multipart_file(aiter_of([b"garbage without boundaries"]), ctype)


async def test_multipart_then_checks_end_to_end() -> None:
    body, ctype = multipart({"item_number": "3"}, "formula.xlsx", PNG, "image/png")
    upload = await open_multipart_file(aiter_of(pieces(body, 1000)), ctype)
    stream = limit_stream(upload.chunks, 50 * MB)
    with pytest.raises(UnsupportedMediaType, match=r"named \.xlsx but its content is PNG"):
        await check_upload(stream, int(upload.fields["item_number"]), upload.filename)
