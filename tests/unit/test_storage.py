"""Storage backends: local folder on tmp_path; S3 through botocore's Stubber (no network)."""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import uuid
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pifai.core.config import ConfigError, Settings
from pifai.core.errors import AppError
from pifai.services.storage import (
    InvalidStorageKey,
    LocalStorage,
    S3Storage,
    Storage,
    StoredObjectNotFound,
    build_storage,
    object_key,
    primed,
)
from tests.factories.files import aiter_of, collect

ORG = uuid.UUID("aaaaaaaa-0000-0000-0000-000000000001")
PRODUCT = uuid.UUID("bbbbbbbb-0000-0000-0000-000000000002")


class Boom(Exception):
    pass


async def failing(parts: Iterable[bytes]) -> AsyncIterator[bytes]:
    for part in parts:
        yield part
    raise Boom("client went away")


def all_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "app_env": "test",
        "data_dir": tmp_path,
        "secret_key": "s",
        "file_encryption_key": "f",
        "field_encryption_key": "k",
    }
    values.update(overrides)
    return Settings(**values)


# --- local ---------------------------------------------------------------------------------


async def test_local_round_trip_size_and_sha256(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    key = object_key(ORG, PRODUCT, 3)
    data = os.urandom(200_000)
    stored = await storage.put(key, aiter_of([data[:1], data[1:70_000], b"", data[70_000:]]))
    assert stored.size == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert await storage.exists(key)
    assert (tmp_path / key).read_bytes() == data
    assert await collect(storage.open(key)) == data
    assert [p.relative_to(tmp_path).as_posix() for p in all_files(tmp_path)] == [key]


@settings(max_examples=40, deadline=None)
@given(parts=st.lists(st.binary(max_size=300), max_size=10))
def test_local_round_trip_any_chunking(
    tmp_path_factory: pytest.TempPathFactory, parts: list[bytes]
) -> None:
    storage = LocalStorage(tmp_path_factory.mktemp("files"))
    data = b"".join(parts)

    async def go() -> bytes:
        stored = await storage.put("k/v", aiter_of(parts))
        assert stored.size == len(data)
        assert stored.sha256 == hashlib.sha256(data).hexdigest()
        return await collect(storage.open("k/v"))

    assert asyncio.run(go()) == data


async def test_local_empty_file(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    stored = await storage.put("a/empty", aiter_of([]))
    assert stored.size == 0
    assert stored.sha256 == hashlib.sha256(b"").hexdigest()
    assert await collect(storage.open("a/empty")) == b""


@pytest.mark.parametrize(
    "key",
    [
        "../escape",
        "a/../../escape",
        "/etc/passwd",
        "a/./b",
        ".hidden",
        "a/.b.tmp",
        "a//b",
        "a/b/",
        "a\\..\\b",
        "",
        "a b",
        "配方/x",
        "a/\x00b",
        "x" * 600,
    ],
)
async def test_local_refuses_keys_outside_the_shape(tmp_path: Path, key: str) -> None:
    storage = LocalStorage(tmp_path / "files")
    with pytest.raises(InvalidStorageKey):
        await storage.put(key, aiter_of([b"x"]))
    with pytest.raises(InvalidStorageKey):
        await collect(storage.open(key))
    with pytest.raises(InvalidStorageKey):
        await storage.delete(key)
    with pytest.raises(InvalidStorageKey):
        await storage.exists(key)
    assert all_files(tmp_path) == []


async def test_local_refuses_symlink_escape(tmp_path: Path) -> None:
    root = tmp_path / "files"
    outside = tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (root / "link").symlink_to(outside, target_is_directory=True)
    storage = LocalStorage(root)
    with pytest.raises(InvalidStorageKey):
        await storage.put("link/secret", aiter_of([b"x"]))
    assert list(outside.iterdir()) == []


async def test_local_failed_stream_leaves_no_partial_file(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    with pytest.raises(Boom):
        await storage.put("org/p/item-03/v1", failing([b"a" * 10_000, b"b" * 10_000]))
    assert not await storage.exists("org/p/item-03/v1")
    assert all_files(tmp_path) == []  # no temp file left behind either


async def test_local_failed_replacement_keeps_the_old_file(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    await storage.put("k/v", aiter_of([b"old version"]))
    with pytest.raises(Boom):
        await storage.put("k/v", failing([b"new, half written"]))
    assert await collect(storage.open("k/v")) == b"old version"
    assert len(all_files(tmp_path)) == 1


async def test_local_cancelled_upload_leaves_nothing(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    started = asyncio.Event()

    async def slow() -> AsyncIterator[bytes]:
        yield b"first part"
        started.set()
        await asyncio.sleep(3600)
        yield b"never"

    task = asyncio.create_task(storage.put("k/v", slow()))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert all_files(tmp_path) == []


async def test_local_missing_key_is_not_found(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    assert not await storage.exists("no/such")
    with pytest.raises(StoredObjectNotFound) as info:
        await collect(storage.open("no/such"))
    assert isinstance(info.value, AppError)
    assert info.value.status_code == 404
    assert info.value.code == "stored_object_missing"
    await storage.delete("no/such")  # idempotent


async def test_local_delete(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    await storage.put("k/v", aiter_of([b"x"]))
    await storage.delete("k/v")
    assert not await storage.exists("k/v")
    assert all_files(tmp_path) == []


async def test_local_files_are_private(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    await storage.put("k/v", aiter_of([b"x"]))
    assert (tmp_path / "k" / "v").stat().st_mode & 0o077 == 0


async def test_primed_raises_before_the_response_starts(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    with pytest.raises(StoredObjectNotFound):
        await primed(storage.open("no/such"))
    await storage.put("k/v", aiter_of([b"a" * 100_000]))
    assert await collect(await primed(storage.open("k/v"))) == b"a" * 100_000
    assert await collect(await primed(aiter_of([]))) == b""


def test_object_key_shape() -> None:
    key = object_key(ORG, PRODUCT, 3)
    assert key.startswith(f"{ORG}/{PRODUCT}/item-03/")
    assert object_key(ORG, PRODUCT, 3) != key
    with pytest.raises(ValueError):
        object_key(ORG, PRODUCT, 17)


def test_get_storage_local_default(tmp_path: Path) -> None:
    storage = build_storage(make_settings(tmp_path))
    assert isinstance(storage, LocalStorage)
    assert isinstance(storage, Storage)
    assert storage.root == (tmp_path / "files").resolve()


def test_get_storage_s3_needs_a_bucket(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="S3_BUCKET"):
        build_storage(make_settings(tmp_path, storage_backend="s3"))


# --- S3 via botocore Stubber -----------------------------------------------------------------

import boto3  # noqa: E402  (the s3 extra; part of dev)
from botocore.response import StreamingBody  # noqa: E402
from botocore.stub import ANY, Stubber  # noqa: E402

MIB = 1024 * 1024


@pytest.fixture
def s3() -> Iterable[tuple[S3Storage, Stubber]]:
    client = boto3.client(
        "s3",
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    with Stubber(client) as stubber:
        yield S3Storage(client, "pif-files", prefix="tenant-files", part_size=5 * MIB), stubber
        stubber.assert_no_pending_responses()


def test_get_storage_s3_from_settings(tmp_path: Path) -> None:
    storage = build_storage(
        make_settings(
            tmp_path,
            storage_backend="s3",
            s3_bucket="b",
            s3_endpoint_url="http://minio.test:9000",
            s3_region="us-east-1",
            s3_access_key_id="id",
            s3_secret_access_key="secret",
        )
    )
    assert isinstance(storage, S3Storage)
    assert storage.client.meta.endpoint_url == "http://minio.test:9000"


async def test_s3_small_put_is_one_request(s3: tuple[S3Storage, Stubber]) -> None:
    storage, stub = s3
    data = b"small file"
    stub.add_response(
        "put_object",
        {"ETag": '"e"'},
        {"Bucket": "pif-files", "Key": "tenant-files/k/v", "Body": data},
    )
    stored = await storage.put("k/v", aiter_of([data[:3], data[3:]]))
    assert stored.size == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()


async def test_s3_large_put_is_multipart(s3: tuple[S3Storage, Stubber]) -> None:
    storage, stub = s3
    data = os.urandom(11 * MIB)
    base = {"Bucket": "pif-files", "Key": "tenant-files/k/v"}
    stub.add_response("create_multipart_upload", {"UploadId": "u1"}, base)
    for number, part in [
        (1, data[: 5 * MIB]),
        (2, data[5 * MIB : 10 * MIB]),
        (3, data[10 * MIB :]),
    ]:
        stub.add_response(
            "upload_part",
            {"ETag": f'"p{number}"'},
            {**base, "UploadId": "u1", "PartNumber": number, "Body": part},
        )
    parts = [{"ETag": f'"p{n}"', "PartNumber": n} for n in (1, 2, 3)]
    stub.add_response(
        "complete_multipart_upload",
        {},
        {**base, "UploadId": "u1", "MultipartUpload": {"Parts": parts}},
    )
    stored = await storage.put(
        "k/v", aiter_of([data[i : i + MIB] for i in range(0, len(data), MIB)])
    )
    assert stored.size == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()


async def test_s3_failed_stream_aborts_the_multipart_upload(s3: tuple[S3Storage, Stubber]) -> None:
    storage, stub = s3
    base = {"Bucket": "pif-files", "Key": "tenant-files/k/v"}
    stub.add_response("create_multipart_upload", {"UploadId": "u1"}, base)
    stub.add_response(
        "upload_part", {"ETag": '"p1"'}, {**base, "UploadId": "u1", "PartNumber": 1, "Body": ANY}
    )
    stub.add_response("abort_multipart_upload", {}, {**base, "UploadId": "u1"})
    with pytest.raises(Boom):
        await storage.put("k/v", failing([b"x" * (6 * MIB)]))


async def test_s3_failed_small_stream_writes_nothing(s3: tuple[S3Storage, Stubber]) -> None:
    storage, _ = s3  # no responses queued: any request would fail the Stubber
    with pytest.raises(Boom):
        await storage.put("k/v", failing([b"x" * 1000]))


async def test_s3_open_streams_the_body(s3: tuple[S3Storage, Stubber]) -> None:
    storage, stub = s3
    data = os.urandom(150_000)
    stub.add_response(
        "get_object",
        {"Body": StreamingBody(io.BytesIO(data), len(data)), "ContentLength": len(data)},
        {"Bucket": "pif-files", "Key": "tenant-files/k/v"},
    )
    chunks = [c async for c in storage.open("k/v")]
    assert b"".join(chunks) == data
    assert len(chunks) == 3


async def test_s3_missing_object(s3: tuple[S3Storage, Stubber]) -> None:
    storage, stub = s3
    stub.add_client_error("get_object", service_error_code="NoSuchKey", http_status_code=404)
    with pytest.raises(StoredObjectNotFound):
        await collect(storage.open("k/v"))
    stub.add_client_error("head_object", service_error_code="404", http_status_code=404)
    assert not await storage.exists("k/v")
    stub.add_response("head_object", {}, {"Bucket": "pif-files", "Key": "tenant-files/k/v"})
    assert await storage.exists("k/v")


async def test_s3_other_errors_propagate(s3: tuple[S3Storage, Stubber]) -> None:
    storage, stub = s3
    stub.add_client_error("head_object", service_error_code="403", http_status_code=403)
    with pytest.raises(Exception, match="403"):
        await storage.exists("k/v")


async def test_s3_delete_and_key_validation(s3: tuple[S3Storage, Stubber]) -> None:
    storage, stub = s3
    stub.add_response("delete_object", {}, {"Bucket": "pif-files", "Key": "tenant-files/k/v"})
    await storage.delete("k/v")
    with pytest.raises(InvalidStorageKey):
        await storage.delete("../k")
