"""Storing an upload: the text for the local search comes from the bytes in hand."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterable, AsyncIterator

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.core.config import Settings
from pifai.core.security import Principal
from pifai.models.pif import DocumentText
from pifai.services.audit import RequestMeta
from pifai.services.encryption import KeyRing
from pifai.services.pif import files
from pifai.services.storage import Storage, StoredObject, build_storage
from tests.factories.auth import create_tenant
from tests.factories.files import aiter_of, collect, pdf, pieces
from tests.factories.products import create_product


class CountingStorage:
    """A real storage that counts the reads made through it."""

    def __init__(self, inner: Storage) -> None:
        self.inner = inner
        self.opened: list[str] = []

    async def put(self, key: str, chunks: AsyncIterable[bytes]) -> StoredObject:
        return await self.inner.put(key, chunks)

    def open(self, key: str) -> AsyncIterator[bytes]:
        self.opened.append(key)
        return self.inner.open(key)

    async def delete(self, key: str) -> None:
        await self.inner.delete(key)

    async def exists(self, key: str) -> bool:
        return await self.inner.exists(key)


async def test_an_upload_indexes_its_text_without_reading_storage(
    session: AsyncSession, settings: Settings
) -> None:
    tenant = await create_tenant(session, settings)
    product = await create_product(session, tenant.org)
    storage = CountingStorage(build_storage(settings))
    assert isinstance(storage, Storage)
    keyring = KeyRing.from_settings(settings)
    actor = Principal(tenant.user.id, tenant.org.id, tenant.user.role)
    stored: dict[uuid.UUID, tuple[str, bytes]] = {}
    for item, line in ((11, "Stable at 40C"), (3, "Aqua 80 percent")):  # plain, encrypted
        data = pdf(line)
        record = await files.store_upload(
            session,
            settings,
            storage=storage,
            keyring=keyring,
            product=product,
            item_number=item,
            filename="report.pdf",
            chunks=aiter_of(pieces(data, 1000)),
            actor=actor,
            meta=RequestMeta(),
        )
        assert record.encrypted is (item == 3)
        stored[record.id] = (line, data)
    assert storage.opened == []

    texts = await session.execute(
        select(DocumentText.file_id, DocumentText.text).where(DocumentText.product_id == product.id)
    )
    assert {file_id: text for file_id, text in texts} == {
        file_id: line for file_id, (line, _) in stored.items()
    }
    for file_id, (_, data) in stored.items():  # what was stored is still the upload
        record = await files.get_file_for_org(session, product.id, file_id, tenant.org.id)
        plaintext = await files.read_plaintext(storage, keyring, record)
        assert await collect(plaintext) == data
