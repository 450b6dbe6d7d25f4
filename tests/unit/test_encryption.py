"""Streaming AES-256-GCM: round trips, tamper/truncation/reorder detection, key rotation."""

from __future__ import annotations

import asyncio
import base64
import os
import secrets
from collections.abc import AsyncIterator, Iterable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pifai.core.config import ConfigError, Settings
from pifai.core.errors import AppError
from pifai.services.encryption import (
    HEADER_LEN,
    TAG_LEN,
    FileIntegrityError,
    KeyRing,
    decrypt_stream,
    encrypt_stream,
    key_id_for,
    needs_encryption,
    read_key_id,
    verify_stream,
)
from tests.factories.files import aiter_of, collect

KEY = bytes(range(32))
OTHER_KEY = bytes(range(100, 132))
RING = KeyRing.from_keys(KEY)
SMALL = 16  # chunk size that makes every test file multi-chunk


def encrypt(data: bytes, ring: KeyRing = RING, chunk_size: int = SMALL) -> bytes:
    return asyncio.run(collect(encrypt_stream(aiter_of([data]), ring, chunk_size=chunk_size)))


def decrypt(blob: bytes, ring: KeyRing = RING, pieces: Iterable[bytes] | None = None) -> bytes:
    return asyncio.run(collect(decrypt_stream(aiter_of(pieces or [blob]), ring)))


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({min(c, len(data)) for c in cuts})
    out, last = [], 0
    for p in [*points, len(data)]:
        out.append(data[last:p])
        last = p
    return out


@pytest.mark.parametrize("size", [0, 1, SMALL - 1, SMALL, SMALL + 1, 3 * SMALL, 3 * SMALL + 5])
def test_round_trip_at_chunk_boundaries(size: int) -> None:
    data = secrets.token_bytes(size)
    blob = encrypt(data)
    chunks = max(1, -(-size // SMALL))
    assert len(blob) == HEADER_LEN + size + chunks * TAG_LEN
    assert decrypt(blob) == data


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.binary(max_size=400),
    in_cuts=st.lists(st.integers(0, 400), max_size=12),
    out_cuts=st.lists(st.integers(0, 600), max_size=12),
    chunk_size=st.integers(1, 64),
)
def test_round_trip_any_chunking(
    data: bytes, in_cuts: list[int], out_cuts: list[int], chunk_size: int
) -> None:
    async def go() -> bytes:
        sealed = await collect(
            encrypt_stream(aiter_of(split(data, in_cuts)), RING, chunk_size=chunk_size)
        )
        return await collect(decrypt_stream(aiter_of(split(sealed, out_cuts)), RING))

    assert asyncio.run(go()) == data


def test_ciphertext_hides_plaintext_and_nonce_is_random() -> None:
    data = b"Aqua 70.5%, Glycerin 5%, Phenoxyethanol 0.9% " * 20
    first, second = encrypt(data, chunk_size=1024), encrypt(data, chunk_size=1024)
    assert b"Glycerin" not in first
    assert first != second  # random base nonce per file
    assert first[HEADER_LEN:] != second[HEADER_LEN:]
    assert decrypt(first) == decrypt(second) == data


def test_header_records_key_id_derived_from_key() -> None:
    blob = encrypt(b"x")
    assert read_key_id(blob) == key_id_for(KEY) == RING.current_id
    assert len(key_id_for(KEY)) == 8
    int(key_id_for(KEY), 16)
    assert key_id_for(KEY) != key_id_for(OTHER_KEY)


BLOB = encrypt(b"formula: secret, " * 5)  # 85 bytes -> 6 chunks of 16


@settings(max_examples=200, deadline=None)
@given(index=st.integers(0, len(BLOB) - 1), bit=st.integers(0, 7))
def test_any_flipped_bit_fails(index: int, bit: int) -> None:
    damaged = bytearray(BLOB)
    damaged[index] ^= 1 << bit
    with pytest.raises(FileIntegrityError):
        decrypt(bytes(damaged))


@settings(max_examples=200, deadline=None)
@given(length=st.integers(0, len(BLOB) - 1))
def test_any_truncation_fails(length: int) -> None:
    with pytest.raises(FileIntegrityError):
        decrypt(BLOB[:length])


def test_truncation_at_a_chunk_boundary_fails() -> None:
    sealed = SMALL + TAG_LEN
    for whole_chunks in range(1, 6):
        with pytest.raises(FileIntegrityError):
            decrypt(BLOB[: HEADER_LEN + whole_chunks * sealed])


def test_appended_data_fails() -> None:
    with pytest.raises(FileIntegrityError):
        decrypt(BLOB + b"\x00")
    sealed = SMALL + TAG_LEN
    with pytest.raises(FileIntegrityError):  # a whole valid chunk appended again
        decrypt(BLOB + BLOB[HEADER_LEN : HEADER_LEN + sealed])


def test_reordered_chunks_fail() -> None:
    sealed = SMALL + TAG_LEN
    body = BLOB[HEADER_LEN:]
    first, second = body[:sealed], body[sealed : 2 * sealed]
    swapped = BLOB[:HEADER_LEN] + second + first + body[2 * sealed :]
    with pytest.raises(FileIntegrityError):
        decrypt(swapped)


def test_chunk_from_another_file_fails() -> None:
    other = encrypt(b"formula: secret, " * 5)
    sealed = SMALL + TAG_LEN
    spliced = BLOB[: HEADER_LEN + sealed] + other[HEADER_LEN + sealed :]
    with pytest.raises(FileIntegrityError):
        decrypt(spliced)


def test_single_chunk_damage_yields_nothing() -> None:
    blob = bytearray(encrypt(b"short secret", chunk_size=1024))
    blob[-1] ^= 1
    yielded: list[bytes] = []

    async def go() -> None:
        async for chunk in decrypt_stream(aiter_of([bytes(blob)]), RING):
            yielded.append(chunk)

    with pytest.raises(FileIntegrityError):
        asyncio.run(go())
    assert yielded == []


def test_plaintext_file_is_refused_clearly() -> None:
    with pytest.raises(FileIntegrityError, match="not an encrypted"):
        decrypt(b"%PDF-1.7 plain file that was never encrypted" * 3)


def test_error_is_an_app_error_with_its_own_code() -> None:
    with pytest.raises(FileIntegrityError) as info:
        decrypt(BLOB[:-1])
    assert isinstance(info.value, AppError)
    assert info.value.code == "file_integrity_error"
    assert info.value.status_code == 409


def test_rotated_key_still_decrypts_old_files() -> None:
    old_blob = encrypt(b"made with the old key")
    rotated = KeyRing.from_keys(OTHER_KEY, [KEY])
    assert rotated.current_id == key_id_for(OTHER_KEY)
    assert decrypt(old_blob, rotated) == b"made with the old key"
    new_blob = encrypt(b"new", rotated)
    assert read_key_id(new_blob) == key_id_for(OTHER_KEY)
    with pytest.raises(FileIntegrityError, match=key_id_for(OTHER_KEY)):
        decrypt(new_blob, RING)  # the old ring does not know the new key


def test_unknown_key_is_refused() -> None:
    blob = encrypt(b"data")
    with pytest.raises(FileIntegrityError, match="not in the key ring"):
        decrypt(blob, KeyRing.from_keys(OTHER_KEY))


def test_header_must_not_be_swapped_for_another_key() -> None:
    # Re-labelling the key id (to a key the ring has) breaks every chunk's AAD.
    ring = KeyRing.from_keys(KEY, [OTHER_KEY])
    blob = bytearray(encrypt(b"data", ring))
    blob[7:15] = key_id_for(OTHER_KEY).encode()
    with pytest.raises(FileIntegrityError):
        decrypt(bytes(blob), ring)


def test_encryption_streams_without_reading_everything_first() -> None:
    consumed = 0

    async def source() -> AsyncIterator[bytes]:
        nonlocal consumed
        for _ in range(100):
            consumed += 1
            yield b"a" * 1024

    async def go() -> int:
        stream = encrypt_stream(source(), RING, chunk_size=4096)
        await anext(stream)  # header
        await anext(stream)  # first sealed chunk
        return consumed

    assert asyncio.run(go()) <= 5


async def test_verify_stream_returns_plaintext_size() -> None:
    data = secrets.token_bytes(1000)
    blob = await collect(encrypt_stream(aiter_of([data]), RING, chunk_size=64))
    assert await verify_stream(aiter_of([blob]), RING) == 1000
    with pytest.raises(FileIntegrityError):
        await verify_stream(aiter_of([blob[:-3]]), RING)


def test_ciphertext_is_standard_aes_gcm() -> None:
    # Independent check of the format: the first chunk opens with plain AESGCM.
    blob = encrypt(b"0123456789abcdefXYZ")
    header = blob[:HEADER_LEN]
    nonce = header[-12:]  # counter 0: nonce is the base nonce
    aad = header + (0).to_bytes(8, "big") + b"\x00"
    first = AESGCM(KEY).decrypt(nonce, blob[HEADER_LEN : HEADER_LEN + SMALL + TAG_LEN], aad)
    assert first == b"0123456789abcdef"


def b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


def make_settings(tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "app_env": "test",
        "data_dir": tmp_path,
        "secret_key": "s",
        "file_encryption_key": b64(KEY),
        "field_encryption_key": "k",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def test_keyring_from_settings_with_retired_keys(tmp_path: Path) -> None:
    ring = KeyRing.from_settings(
        make_settings(
            tmp_path,
            file_encryption_key=b64(OTHER_KEY),
            file_encryption_retired_keys=f"{b64(KEY)}, ",
        )
    )
    assert ring.current_id == key_id_for(OTHER_KEY)
    assert ring.key_ids == {key_id_for(KEY), key_id_for(OTHER_KEY)}
    assert decrypt(encrypt(b"hello"), ring) == b"hello"


@pytest.mark.parametrize("bad", ["not base64!!", b64(b"short"), b64(bytes(33))])
def test_keyring_refuses_bad_keys(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ConfigError, match="FILE_ENCRYPTION_KEY"):
        KeyRing.from_settings(make_settings(tmp_path, file_encryption_key=bad))


def test_trade_secret_items() -> None:
    assert [n for n in range(1, 17) if needs_encryption(n)] == [3, 6]


def test_a_large_single_piece_is_not_copied_whole() -> None:
    import tracemalloc

    data = os.urandom(8 * 1024 * 1024)

    async def go() -> int:
        size = 0
        async for sealed in encrypt_stream(aiter_of([data]), RING):
            size += len(sealed)
        return size

    tracemalloc.start()
    try:
        size = asyncio.run(go())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert size > len(data)
    assert peak < 2 * 1024 * 1024  # a few 64 KiB blocks, not another 8 MB copy
