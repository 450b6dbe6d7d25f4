"""PubChem PUG REST (identity, properties) and PUG View (GHS classification).

Requests, as PubChem documents them:
- ``/rest/pug/compound/name/{name}/cids/JSON`` -> ``{"IdentifierList": {"CID": [...]}}``
  (a CAS number is one of a compound's names);
- ``/rest/pug/compound/cid/{cid,cid,...}/property/{p,p,...}/JSON`` ->
  ``{"PropertyTable": {"Properties": [{"CID": ..., ...}]}}``: one request for a whole
  formula's compounds;
- ``/rest/pug_view/data/compound/{cid}/JSON?heading=GHS+Classification`` -> a ``Record``
  whose sections hold the "GHS Classification" information, one set per contributor;
- errors: ``{"Fault": {"Code": "PUGREST.NotFound" | "PUGREST.ServerBusy" | ...}}``.

Since 2025 PubChem names canonical SMILES ``ConnectivitySMILES`` (``CanonicalSMILES`` is
accepted as an alias in requests but answered under the new name)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import httpx
from redis.asyncio import Redis

from pifai.ai.toxicology.ratelimit import Limiter, NoLimit, Prioritised, RedisRateLimiter
from pifai.ai.toxicology.sources import (
    MalformedBody,
    NotInSource,
    SourceError,
    SourceResult,
    SourceStatus,
    SourceUnavailable,
    json_body,
    send,
    with_one_retry,
)
from pifai.core.config import Settings

SOURCE = "pubchem"
PROPERTIES = ("IUPACName", "MolecularFormula", "MolecularWeight", "XLogP", "ConnectivitySMILES")
# PubChem asks that a URL stay short; a formula's ingredients fit many times over.
MAX_CIDS_PER_REQUEST = 100
_NOT_FOUND = {"PUGREST.NotFound", "PUGVIEW.NotFound"}
_BUSY = {"PUGREST.ServerBusy", "PUGVIEW.ServerBusy", "PUGREST.Timeout", "PUGVIEW.Timeout"}
_H_CODE = re.compile(r"^\s*(H\d{3}[A-Za-z]*(?:\+H\d{3}[A-Za-z]*)*)")
_PICTOGRAM = re.compile(r"(GHS0\d)")
# Which request takes the next rate-limit slot: a name (it unlocks a compound's other
# requests) and the property request (it completes every compound) before GHS records.
_FIRST, _LATER = 0, 1


# One Redis key for every process of a deployment: PubChem counts per address.
LIMIT_KEY = "ratelimit:pubchem"


def shared_limiter(redis: Redis, settings: Settings) -> RedisRateLimiter:
    """The process-wide PubChem limiter; the runtime holds it."""
    return RedisRateLimiter(redis, LIMIT_KEY, settings.pubchem_max_per_second)


def _fault(body: dict[str, Any]) -> str | None:
    fault = body.get("Fault")
    return str(fault.get("Code")) if isinstance(fault, dict) else None


def _checked(response: httpx.Response) -> dict[str, Any]:
    """The body of a good answer, or the typed error the status and Fault code mean."""
    try:
        body = json_body(response)
    except MalformedBody:
        if response.status_code == 404:
            raise NotInSource("HTTP 404") from None
        if response.status_code == 503:
            raise SourceUnavailable("HTTP 503") from None
        raise
    code = _fault(body)
    if code in _NOT_FOUND or (code is None and response.status_code == 404):
        raise NotInSource(code or "HTTP 404")
    if code in _BUSY or response.status_code in (503, 504):
        raise SourceUnavailable(code or f"HTTP {response.status_code}")
    if code is not None or response.status_code != 200:
        raise MalformedBody(f"HTTP {response.status_code}: {code or 'no Fault code'}")
    return body


class PubChemClient:
    """Every request takes a slot of the shared limiter first, retries included."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        base_url: str,
        limiter: Limiter | None = None,
        retry_wait: float = 0.2,
    ) -> None:
        self._http = http
        self._base = base_url.rstrip("/")
        self._slots = Prioritised(limiter or NoLimit())
        self._retry_wait = retry_wait

    @classmethod
    def from_settings(
        cls, http: httpx.AsyncClient, settings: Settings, limiter: Limiter | None
    ) -> PubChemClient:
        """``http`` should carry ``timeout=settings.pubchem_timeout_seconds``."""
        return cls(http, base_url=settings.pubchem_base_url, limiter=limiter)

    async def _get(
        self, path: str, params: dict[str, str] | None = None, *, priority: int = _FIRST
    ) -> dict[str, Any]:
        url = f"{self._base}{path}"

        async def attempt() -> dict[str, Any]:
            await self._slots.acquire(priority)
            response = await send(lambda: self._http.get(url, params=params), url)
            return _checked(response)

        return await with_one_retry(attempt, retry_wait=self._retry_wait)

    async def cids(self, identifier: str) -> list[int]:
        body = await self._get(f"/rest/pug/compound/name/{quote(identifier, safe='')}/cids/JSON")
        try:
            found = [int(cid) for cid in body["IdentifierList"]["CID"]]
        except (KeyError, TypeError, ValueError) as exc:
            raise MalformedBody("no IdentifierList.CID") from exc
        # PubChem answers CID 0 for a name it could not match in some forms.
        found = [cid for cid in found if cid > 0]
        if not found:
            raise NotInSource("no CID")
        return found

    async def properties(self, cids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """The properties of several compounds, ``MAX_CIDS_PER_REQUEST`` per request."""
        table: dict[int, dict[str, Any]] = {}
        unique = list(dict.fromkeys(cids))
        for start in range(0, len(unique), MAX_CIDS_PER_REQUEST):
            chunk = ",".join(str(cid) for cid in unique[start : start + MAX_CIDS_PER_REQUEST])
            body = await self._get(
                f"/rest/pug/compound/cid/{chunk}/property/{','.join(PROPERTIES)}/JSON"
            )
            try:
                rows = body["PropertyTable"]["Properties"]
                table.update({int(row["CID"]): _identity(row) for row in rows})
            except (KeyError, TypeError, ValueError) as exc:
                raise MalformedBody("no PropertyTable.Properties") from exc
        return table

    async def ghs(self, cid: int) -> list[dict[str, Any]]:
        """GHS classification sets, one per contributor; [] when PubChem has none."""
        try:
            body = await self._get(
                f"/rest/pug_view/data/compound/{cid}/JSON",
                {"heading": "GHS Classification"},
                priority=_LATER,
            )
        except NotInSource:
            return []
        record = body.get("Record")
        if not isinstance(record, dict):
            raise MalformedBody("no Record")
        return parse_ghs(record)

    async def lookup(self, identifiers: Sequence[str]) -> dict[str, SourceResult]:
        """Identity, properties and GHS of each ingredient (a name or CAS number): one name
        request each, one property request for all, one GHS request per compound.

        Pipelined: a compound's GHS request goes as soon as its name is resolved, and the
        property request as soon as every name is, so the rate limiter never idles while
        a stage waits for its slowest answer."""
        names = list(dict.fromkeys(identifiers))
        resolving = [asyncio.ensure_future(self._resolve(name)) for name in names]

        async def ghs_of(resolved: asyncio.Future[int | SourceResult]) -> Any:
            outcome = await resolved
            if isinstance(outcome, SourceResult):
                return None
            return await self._ghs_or_failure(outcome)

        async def table_of() -> dict[int, dict[str, Any]] | SourceError:
            outcomes = await asyncio.gather(*resolving)
            cids = [cid for cid in outcomes if not isinstance(cid, SourceResult)]
            try:
                return await self.properties(cids) if cids else {}
            except SourceError as exc:
                return exc

        try:
            ghs_sets, table = await asyncio.gather(
                asyncio.gather(*(ghs_of(f) for f in resolving)), table_of()
            )
        finally:
            for future in resolving:
                future.cancel()  # a no-op once done; stops the rest when cancelled
        results: dict[str, SourceResult] = {}
        for name, resolved, ghs in zip(names, resolving, ghs_sets, strict=True):
            outcome = resolved.result()
            if isinstance(outcome, SourceResult):
                results[name] = outcome
            elif isinstance(table, SourceError):
                results[name] = _failed(table)
            elif isinstance(ghs, SourceError):
                # One compound's GHS request failing fails that ingredient only.
                results[name] = _failed(ghs)
            else:
                results[name] = _found(outcome, table.get(outcome), ghs)
        return results

    async def _ghs_or_failure(self, cid: int) -> list[dict[str, Any]] | SourceError:
        try:
            return await self.ghs(cid)
        except SourceError as exc:
            return exc

    async def _resolve(self, identifier: str) -> int | SourceResult:
        try:
            # The first CID is the one PubChem ranks best for the name.
            return (await self.cids(identifier))[0]
        except SourceError as exc:
            return _failed(exc)


def _failed(exc: SourceError) -> SourceResult:
    if isinstance(exc, NotInSource):
        return SourceResult(SOURCE, SourceStatus.not_found, "not in PubChem")
    return SourceResult.unavailable(SOURCE, f"PubChem: {exc}")


def _found(cid: int, identity: dict[str, Any] | None, ghs: list[dict[str, Any]]) -> SourceResult:
    if identity is None:
        return SourceResult.unavailable(SOURCE, f"PubChem returned no properties for CID {cid}")
    data = {**identity, "ghs": ghs, "url": f"https://pubchem.ncbi.nlm.nih.gov/compound/{cid}"}
    note = "" if ghs else "; no GHS classification in PubChem"
    return SourceResult(SOURCE, SourceStatus.found, f"PubChem CID {cid}{note}", data)


def _number(value: Any) -> float | None:
    # MolecularWeight arrives as a string ("180.16"), XLogP as a number or not at all.
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def _identity(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "cid": int(row["CID"]),
        "iupac_name": row.get("IUPACName"),
        "molecular_formula": row.get("MolecularFormula"),
        "molecular_weight": _number(row.get("MolecularWeight")),
        "xlogp": _number(row.get("XLogP")),
        "smiles": row.get("ConnectivitySMILES") or row.get("CanonicalSMILES"),
    }


def _sections(node: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for section in node.get("Section") or []:
        if isinstance(section, dict):
            if section.get("TOCHeading") == "GHS Classification":
                found.append(section)
            found += _sections(section)
    return found


def _strings(information: dict[str, Any]) -> list[dict[str, Any]]:
    value = information.get("Value")
    items = value.get("StringWithMarkup") if isinstance(value, dict) else None
    return [item for item in items or [] if isinstance(item, dict)]


def parse_ghs(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The "GHS Classification" information of a PUG View record, grouped by the
    contributor (its ``ReferenceNumber``) so every H-code keeps its source."""
    sources = {
        ref.get("ReferenceNumber"): ref.get("SourceName")
        for ref in record.get("Reference") or []
        if isinstance(ref, dict)
    }
    sets: dict[Any, dict[str, Any]] = {}
    for section in _sections(record):
        for info in section.get("Information") or []:
            ref = info.get("ReferenceNumber")
            entry = sets.setdefault(
                ref,
                {"source": sources.get(ref), "signal": None, "pictograms": [], "hazards": []},
            )
            name = info.get("Name")
            strings = _strings(info)
            if name == "Signal":
                entry["signal"] = next((s.get("String") for s in strings), None)
            elif name == "Pictogram(s)":
                for item in strings:
                    for markup in item.get("Markup") or []:
                        match = _PICTOGRAM.search(str(markup.get("URL", "")))
                        if match and match.group(1) not in entry["pictograms"]:
                            entry["pictograms"].append(match.group(1))
            elif name == "GHS Hazard Statements":
                for item in strings:
                    text = str(item.get("String", ""))
                    match = _H_CODE.match(text)
                    entry["hazards"].append(
                        {"code": match.group(1) if match else None, "text": text}
                    )
    return [entry for entry in sets.values() if entry["hazards"] or entry["signal"]]
