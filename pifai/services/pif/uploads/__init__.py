"""Checks on uploaded files: size while streaming, type from the bytes, safe names.

The HTTP side (the streaming multipart parser, the Content-Length guard and the
Content-Disposition header) lives in :mod:`pifai.api.multipart` and
:mod:`pifai.api.downloads`. A typical upload::

    check_content_length(request.headers.get("content-length"), settings.max_upload_bytes)
    upload = await open_multipart_file(request.stream(), request.headers.get("content-type"))
    item_number = int(upload.fields["item_number"])  # or from the URL; validate it
    stream = limit_stream(upload.chunks, settings.max_upload_bytes)     # 413 while reading
    kind, stream = await check_upload(stream, item_number, upload.filename)  # 415 (bytes)
    plain = StreamDigest()
    stream = plain.wrap(stream)                                         # SHA-256 of plaintext
    if needs_encryption(item_number):
        stream = encrypt_stream(stream, keyring)
    stored = await storage.put(object_key(org_id, product_id, item_number), stream)
    # record: kind, mime_type(kind), plain.sha256, plain.size, display_name(upload.filename),
    #         safe_storage_name(upload.filename), stored.sha256 (of the bytes at rest)

and for a download: ``headers={"Content-Disposition": content_disposition(name)}`` with
``media_type=mime_type(kind)`` (the app adds ``X-Content-Type-Options: nosniff`` to every
response).
"""

from pifai.services.pif.uploads.content_types import (
    ALLOWED_TYPES_BY_ITEM,
    MIME_TYPES,
    SNIFF_BYTES,
    FileKind,
    allowed_types,
    check_content_type,
    check_upload,
    describe_content,
    mime_type,
    sniff_content_type,
)
from pifai.services.pif.uploads.names import MAX_NAME_BYTES, display_name, safe_storage_name
from pifai.services.pif.uploads.streams import StreamCopy, StreamDigest, limit_stream, too_large

__all__ = [
    "ALLOWED_TYPES_BY_ITEM",
    "MAX_NAME_BYTES",
    "MIME_TYPES",
    "SNIFF_BYTES",
    "FileKind",
    "StreamCopy",
    "StreamDigest",
    "allowed_types",
    "check_content_type",
    "check_upload",
    "describe_content",
    "display_name",
    "limit_stream",
    "mime_type",
    "safe_storage_name",
    "sniff_content_type",
    "too_large",
]
