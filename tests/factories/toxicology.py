"""PubChem and ECHA CHEM behind one ``httpx.MockTransport``, answering in the services'
JSON shapes (the same shapes as tests/unit/test_toxicology_sources.py), for the
toxicology tasks. The runtime's ``toxicology_transport`` takes :meth:`transport`.

Shapes only: CIDs, names, identifiers and hazard statements are placeholders, not data
about any compound."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.ai.toxicology.sources import SourceResult, SourceStatus
from pifai.core.config import Settings
from pifai.models.toxicology import ToxicologyCache

_CAS = re.compile(r"^\d{2,7}-\d{2}-\d$")
BUSY = {"Fault": {"Code": "PUGREST.ServerBusy", "Message": "Too many requests or server too busy"}}
NOT_FOUND = {"Fault": {"Code": "PUGREST.NotFound", "Message": "No CID found"}}
NO_VIEW = {"Fault": {"Code": "PUGVIEW.NotFound", "Message": "No data found"}}


def ghs_record(cid: int) -> dict[str, Any]:
    return {
        "Record": {
            "RecordType": "CID",
            "RecordNumber": cid,
            "Section": [{"TOCHeading": "Safety and Hazards", "Section": [{
                "TOCHeading": "Hazards Identification", "Section": [{
                    "TOCHeading": "GHS Classification",
                    "Information": [
                        {"ReferenceNumber": 1, "Name": "Signal",
                         "Value": {"StringWithMarkup": [{"String": "Warning"}]}},
                        {"ReferenceNumber": 1, "Name": "GHS Hazard Statements",
                         "Value": {"StringWithMarkup": [{"String": "H000: placeholder"}]}},
                    ],
                }],
            }]}],
            "Reference": [{"ReferenceNumber": 1, "SourceName": "Placeholder contributor"}],
        }
    }  # fmt: skip


class FakeSources:
    """``known``: the names and CAS numbers both services know, with a placeholder CID.

    ``down``: the services answering 503 to everything ("pubchem", "echa");
    ``echa_down_for``: identifiers ECHA answers 503 for; ``fail_first``: that many first
    requests, whichever service, answer 503; ``delays``: seconds per request by service;
    ``version`` goes into the answers, so a refresh's overwrite shows."""

    def __init__(
        self,
        settings: Settings,
        known: Mapping[str, int],
        *,
        ghs: Iterable[int] = (),
        delays: Mapping[str, float] | None = None,
    ) -> None:
        self.hosts = {
            httpx.URL(settings.pubchem_base_url).host: "pubchem",
            httpx.URL(settings.echa_base_url).host: "echa",
        }
        self.known = {k.lower(): v for k, v in known.items()}
        self.ghs = set(ghs)
        self.delays = dict(delays or {})
        self.down: set[str] = set()
        self.echa_down_for: set[str] = set()
        self.fail_first = 0
        self.version = 1
        self.requests: list[tuple[str, httpx.Request]] = []

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def count(self, service: str) -> int:
        return sum(1 for s, _ in self.requests if s == service)

    async def handle(self, request: httpx.Request) -> httpx.Response:
        service = self.hosts.get(request.url.host)
        if service is None:
            return httpx.Response(502, json={"message": f"unexpected host {request.url.host}"})
        self.requests.append((service, request))
        if delay := self.delays.get(service):
            await asyncio.sleep(delay)
        if len(self.requests) <= self.fail_first or service in self.down:
            return httpx.Response(503, json=BUSY if service == "pubchem" else {})
        return self._pubchem(request) if service == "pubchem" else self._echa(request)

    def _pubchem(self, request: httpx.Request) -> httpx.Response:
        path = unquote(request.url.path)
        if "/compound/name/" in path:
            name = path.split("/compound/name/")[1].rsplit("/cids/", 1)[0].lower()
            if name not in self.known:
                return httpx.Response(404, json=NOT_FOUND)
            return httpx.Response(200, json={"IdentifierList": {"CID": [self.known[name]]}})
        if "/property/" in path:
            cids = path.split("/cid/")[1].split("/")[0].split(",")
            rows = [{"CID": int(c), "MolecularFormula": "CxHy", "MolecularWeight": "100.5",
                     "IUPACName": f"placeholder-{c}-v{self.version}",
                     "ConnectivitySMILES": "CCO", "XLogP": 1.5} for c in cids]  # fmt: skip
            return httpx.Response(200, json={"PropertyTable": {"Properties": rows}})
        if "/pug_view/data/compound/" in path:
            cid = int(path.split("/compound/")[1].split("/")[0])
            if cid in self.ghs:
                return httpx.Response(200, json=ghs_record(cid))
            return httpx.Response(404, json=NO_VIEW)
        return httpx.Response(400, json={"Fault": {"Code": "PUGREST.BadRequest"}})

    def _echa(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/api-substance/v1/substance":
            wanted = request.url.params["searchText"]
            if wanted.lower() in self.echa_down_for:
                return httpx.Response(503)
            if wanted.lower() not in self.known:
                return httpx.Response(200, json={"items": []})
            index = {
                "rmlId": f"100.000.{self.known[wanted.lower()]:03d}",
                "rmlName": wanted if not _CAS.match(wanted) else f"Substance v{self.version}",
                "rmlCas": wanted if _CAS.match(wanted) else None,
                "rmlEc": None,
            }
            return httpx.Response(200, json={"items": [{"substanceIndex": index}]})
        if "/overview/info/" in path:
            rml_id = path.rsplit("/", 1)[1]
            return httpx.Response(200, json={"classificationId": "1", "rmlId": rml_id,
                                             "type": "industry"})  # fmt: skip
        return httpx.Response(404, json={"message": "not found"})


async def store_entry(
    session: AsyncSession, ingredient: str, source: str, *, age_days: float, message: str
) -> ToxicologyCache:
    """A cache entry fetched ``age_days`` ago (30 days fresh), with a placeholder answer."""
    fetched = datetime.now(UTC) - timedelta(days=age_days)
    row = ToxicologyCache(
        id=uuid.uuid4(),
        ingredient=ingredient,
        source=source,
        data=SourceResult(source, SourceStatus.found, message, {"placeholder": True}).to_dict(),
        fetched_at=fetched,
        expires_at=fetched + timedelta(days=30),
    )
    session.add(row)
    await session.flush()
    return row
