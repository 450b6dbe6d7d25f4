"""Streaming AES-256-GCM encryption of trade-secret files (PIF items 3 and 6).

Format (version 1), designed so a 50 MB file never sits in memory, and so that tampering,
truncation, reordering and appended data are all detected:

    header  = MAGIC (6) | version (1) | key id (8, ASCII hex) | chunk size (4, u32 BE)
              | base nonce (12, random per file)
    body    = sealed chunk 0 | sealed chunk 1 | ... | sealed final chunk

Every chunk but the last holds exactly ``chunk size`` plaintext bytes; the last holds
0..chunk size bytes (so an empty file is one sealed empty chunk). Chunk ``i`` is sealed with

    nonce = base nonce XOR i (as a 96-bit big-endian integer)
    aad   = header | i (8, u64 BE) | final flag (1: 0x01 on the last chunk, else 0x00)

The header is authenticated through every chunk's AAD, the counter catches reordering, the
final flag catches truncation at a chunk boundary and appended chunks (the "STREAM"
construction of Hoang, Reyhanitabar, Rogaway and Vizár). Any failure raises
:class:`FileIntegrityError`; no unauthenticated byte is ever yielded.

Decryption yields each chunk as soon as it is authenticated, so a file damaged in its
middle fails *after* earlier chunks were yielded. A download route that must answer with a
clean error should either call :func:`verify_stream` first (a second read, no memory) or
prime the stream with :func:`pifai.services.storage.primed` (catches damage in the first
64 KiB only).

Keys rotate through a :class:`KeyRing`: new files use the current key; each file names the
key id it was sealed with, and any key still in the ring decrypts it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
import struct
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Mapping
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from pifai.core.config import ConfigError, Settings
from pifai.core.errors import AppError

MAGIC = b"PIFENC"
VERSION = 1
KEY_ID_LEN = 8
NONCE_LEN = 12
TAG_LEN = 16
_HEADER = struct.Struct(f">{len(MAGIC)}sB{KEY_ID_LEN}sI{NONCE_LEN}s")
HEADER_LEN = _HEADER.size
DEFAULT_CHUNK_SIZE = 64 * 1024
# A crafted header must not make the decryptor buffer gigabytes before the first tag fails.
MAX_CHUNK_SIZE = 4 * 1024 * 1024
KEY_LEN = 32

# PIF items whose files are trade secrets and are encrypted at rest (DOMAIN.md: 3 is the
# formula, 6 the manufacturing method and process).
ENCRYPTED_ITEMS: frozenset[int] = frozenset({3, 6})


def needs_encryption(item_number: int) -> bool:
    return item_number in ENCRYPTED_ITEMS


class FileIntegrityError(AppError):
    """A stored encrypted file fails authentication: tampered, truncated or unknown key.

    409, not 500: the request is fine and the server did not crash; the stored resource is
    in a state that cannot be served, and retrying the same request fails the same way
    (5xx invites blind retries). 422 would wrongly blame the request body. The distinct
    code lets clients and alerts tell it apart from ordinary conflicts.
    """

    status_code = 409
    code = "file_integrity_error"


def key_id_for(key: bytes) -> str:
    """Stable public id of a key: 8 hex of a domain-separated SHA-256 (reveals nothing)."""
    return hashlib.sha256(b"pifai.file-key-id.v1:" + key).hexdigest()[:KEY_ID_LEN]


def _decode_key(text: str, name: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ConfigError(f"{name} is not valid base64: {exc}") from exc
    if len(key) != KEY_LEN:
        raise ConfigError(
            f"{name} must decode to {KEY_LEN} bytes (AES-256), got {len(key)}; generate one "
            "with: python -c 'import base64,secrets; "
            "print(base64.b64encode(secrets.token_bytes(32)).decode())'"
        )
    return key


@dataclass(frozen=True)
class KeyRing:
    """The current key (encrypts) and every key that may still decrypt, by key id."""

    current_id: str
    _keys: Mapping[str, bytes] = field(repr=False)

    @classmethod
    def from_keys(cls, current: bytes, retired: Iterable[bytes] = ()) -> KeyRing:
        keys: dict[str, bytes] = {}
        for key in (current, *retired):
            if len(key) != KEY_LEN:
                raise ConfigError(f"file encryption keys must be {KEY_LEN} bytes (AES-256)")
            keys.setdefault(key_id_for(key), key)
        return cls(current_id=key_id_for(current), _keys=keys)

    @classmethod
    def from_settings(cls, settings: Settings) -> KeyRing:
        if settings.file_encryption_key is None:
            raise ConfigError("FILE_ENCRYPTION_KEY is not set")
        current = _decode_key(
            settings.file_encryption_key.get_secret_value(), "FILE_ENCRYPTION_KEY"
        )
        retired: list[bytes] = []
        if settings.file_encryption_retired_keys is not None:
            raw = settings.file_encryption_retired_keys.get_secret_value()
            retired = [
                _decode_key(part, "FILE_ENCRYPTION_RETIRED_KEYS")
                for part in raw.split(",")
                if part.strip()
            ]
        return cls.from_keys(current, retired)

    @property
    def key_ids(self) -> frozenset[str]:
        return frozenset(self._keys)

    def cipher(self, key_id: str) -> AESGCM:
        key = self._keys.get(key_id)
        if key is None:
            raise FileIntegrityError(
                f"The file was encrypted with key id {key_id}, which is not in the key ring; "
                "add the old key to FILE_ENCRYPTION_RETIRED_KEYS to read it.",
                details={"key_id": key_id},
            )
        return AESGCM(key)


def _nonce(base: bytes, counter: int) -> bytes:
    return (int.from_bytes(base, "big") ^ counter).to_bytes(NONCE_LEN, "big")


def _aad(header: bytes, counter: int, final: bool) -> bytes:
    return header + struct.pack(">QB", counter, 1 if final else 0)


def read_key_id(head: bytes) -> str:
    """Key id of an encrypted file from its first bytes (for re-encryption jobs)."""
    return _parse_header(head)[0]


def _parse_header(header: bytes) -> tuple[str, int, bytes]:
    if len(header) < HEADER_LEN or not header.startswith(MAGIC):
        raise FileIntegrityError("The stored file is not an encrypted PIF AI file or is truncated.")
    _, version, raw_id, chunk_size, base = _HEADER.unpack(header[:HEADER_LEN])
    if version != VERSION:
        raise FileIntegrityError(f"Unsupported encrypted file version {version}.")
    if not 0 < chunk_size <= MAX_CHUNK_SIZE:
        raise FileIntegrityError("The encrypted file header is damaged (chunk size).")
    try:
        key_id = raw_id.decode("ascii")
    except UnicodeDecodeError as exc:
        raise FileIntegrityError("The encrypted file header is damaged (key id).") from exc
    return key_id, chunk_size, base


async def _blocks(
    first: bytes | memoryview, rest: AsyncIterator[bytes], size: int
) -> AsyncIterator[tuple[bytes, bool]]:
    """Re-cut a stream into ``(block, is_final)``: every block but the last is exactly
    ``size`` bytes and the last is 0..size bytes. A block is released as non-final only
    once at least one more byte is known to follow, so the final flag is always right.
    Large input pieces are sliced through a memoryview, never copied whole."""
    buf = bytearray()
    view = memoryview(first)
    while True:
        while len(buf) + len(view) > size:
            take = size - len(buf)
            buf += view[:take]
            view = view[take:]
            yield bytes(buf), False
            buf.clear()
        buf += view
        try:
            view = memoryview(await anext(rest))
        except StopAsyncIteration:
            break
    yield bytes(buf), True


async def encrypt_stream(
    chunks: AsyncIterable[bytes], keyring: KeyRing, *, chunk_size: int = DEFAULT_CHUNK_SIZE
) -> AsyncIterator[bytes]:
    """Yield the header, then one sealed chunk per ``chunk_size`` bytes of plaintext."""
    if not 0 < chunk_size <= MAX_CHUNK_SIZE:
        raise ValueError(f"chunk_size must be in 1..{MAX_CHUNK_SIZE}")
    key_id = keyring.current_id
    cipher = keyring.cipher(key_id)
    base = secrets.token_bytes(NONCE_LEN)  # random per file
    header = _HEADER.pack(MAGIC, VERSION, key_id.encode("ascii"), chunk_size, base)
    yield header
    counter = 0
    async for plain, final in _blocks(b"", aiter(chunks), chunk_size):
        yield cipher.encrypt(_nonce(base, counter), plain, _aad(header, counter, final))
        counter += 1


async def decrypt_stream(chunks: AsyncIterable[bytes], keyring: KeyRing) -> AsyncIterator[bytes]:
    """Yield authenticated plaintext; raise FileIntegrityError on any damage."""
    iterator = aiter(chunks)
    head = bytearray()
    first: bytes | memoryview = b""
    async for piece in iterator:
        need = HEADER_LEN - len(head)
        head += piece[:need]
        if len(head) == HEADER_LEN:
            first = memoryview(piece)[need:]
            break
    if len(head) < HEADER_LEN:
        raise FileIntegrityError("The stored file is not an encrypted PIF AI file or is truncated.")
    header = bytes(head)
    key_id, chunk_size, base = _parse_header(header)
    cipher = keyring.cipher(key_id)
    counter = 0
    async for sealed, final in _blocks(first, iterator, chunk_size + TAG_LEN):
        if final and len(sealed) < TAG_LEN:
            raise FileIntegrityError(
                "The stored file is truncated; it was not returned.",
                details={"chunk": counter, "key_id": key_id},
            )
        try:
            plain = cipher.decrypt(_nonce(base, counter), sealed, _aad(header, counter, final))
        except InvalidTag as exc:
            raise FileIntegrityError(
                "The stored file failed its integrity check (tampered, truncated or "
                "corrupted); it was not returned.",
                details={"chunk": counter, "key_id": key_id},
            ) from exc
        yield plain
        counter += 1


async def verify_stream(chunks: AsyncIterable[bytes], keyring: KeyRing) -> int:
    """Authenticate a whole encrypted stream without keeping it; return the plaintext size."""
    size = 0
    async for plain in decrypt_stream(chunks, keyring):
        size += len(plain)
    return size
