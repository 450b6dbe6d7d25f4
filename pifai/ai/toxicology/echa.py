"""ECHA CHEM (chem.echa.europa.eu): the harmonised classification of CLP Annex VI.

ECHA publishes no documented JSON API for this. The client follows the JSON endpoints
the ECHA CHEM web application itself calls, as read in public code that uses them
(unverified against ECHA's own documentation; see the report of issue 16):

1. ``GET /api-substance/v1/substance?searchText={cas or name}&pageIndex=1&pageSize=10``
   -> ``{"items": [{"substanceIndex": {"rmlId", "rmlName", "rmlCas", "rmlEc"}}]}``;
2. ``GET /api-cnl-inventory/prominent/overview/info/{rmlId}`` ->
   ``{"classificationId", "type": "harmonised" | "industry", "signalWord": {...}}``;
3. ``GET /api-cnl-inventory/prominent/overview/classifications/harmonised/{classificationId}``
   -> ``{"items": [{"hazardClassAndCategoryCode": "Repr. 1B", "hazardStatements":
   [{"hazardStatementCode": "H360F", "hazardStatementText": ...}]}]}``.

Only an exact match of the CAS number (or, without one, of the name) is taken: the first
search hit may be another substance, and a wrong substance's classification is worse than
none. A substance whose prominent classification is not harmonised has no Annex VI entry:
that is an answer ("no harmonised classification"), not a failure."""

from __future__ import annotations

import re
from typing import Any

import httpx

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

SOURCE = "echa"
_CAS = re.compile(r"^\d{2,7}-\d{2}-\d$")
# CLP Annex I hazard class abbreviations of carcinogenicity, germ-cell mutagenicity and
# reproductive toxicity, with their categories (1A, 1B, 2).
_CMR = re.compile(r"^(Carc|Muta|Repr)\.\s*(1A|1B|2)\b")


def _checked(response: httpx.Response) -> dict[str, Any]:
    if response.status_code == 404:
        raise NotInSource("HTTP 404")
    if response.status_code in (429, 503):
        raise SourceUnavailable(f"HTTP {response.status_code}")
    if response.status_code != 200:
        raise MalformedBody(f"HTTP {response.status_code}")
    return json_body(response)


def cmr_categories(hazard_classes: list[str]) -> list[dict[str, str]]:
    found = []
    for hazard_class in hazard_classes:
        match = _CMR.match(hazard_class)
        if match:
            found.append({"kind": match.group(1), "category": match.group(2)})
    return found


class EchaClient:
    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        base_url: str,
        api_key: str | None = None,
        retry_wait: float = 0.2,
    ) -> None:
        self._http = http
        self._base = base_url.rstrip("/")
        # Assumed header name: ECHA CHEM asks for no key today.
        self._headers = {"Accept": "application/json"} | ({"X-API-Key": api_key} if api_key else {})
        self._retry_wait = retry_wait

    @classmethod
    def from_settings(cls, http: httpx.AsyncClient, settings: Settings) -> EchaClient:
        """``http`` should carry ``timeout=settings.echa_timeout_seconds``."""
        key = settings.echa_api_key.get_secret_value() if settings.echa_api_key else None
        return cls(http, base_url=settings.echa_base_url, api_key=key)

    async def _get(self, path: str, params: dict[str, str] | None = None) -> dict[str, Any]:
        url = f"{self._base}{path}"

        async def attempt() -> dict[str, Any]:
            response = await send(
                lambda: self._http.get(url, params=params, headers=self._headers), url
            )
            return _checked(response)

        return await with_one_retry(attempt, retry_wait=self._retry_wait)

    async def substance(self, identifier: str) -> dict[str, Any]:
        body = await self._get(
            "/api-substance/v1/substance",
            {"searchText": identifier, "pageIndex": "1", "pageSize": "10"},
        )
        items = body.get("items")
        if not isinstance(items, list):
            raise MalformedBody("no items")
        wanted = identifier.strip().lower()
        field = "rmlCas" if _CAS.match(wanted) else "rmlName"
        for item in items:
            index = item.get("substanceIndex") if isinstance(item, dict) else None
            if isinstance(index, dict) and str(index.get(field) or "").lower() == wanted:
                return index
        raise NotInSource("no exact match")

    async def harmonised(self, rml_id: str) -> dict[str, Any] | None:
        """The harmonised classification, or None when the substance has none."""
        info = await self._get(f"/api-cnl-inventory/prominent/overview/info/{rml_id}")
        if info.get("type") != "harmonised":
            return None
        classification_id = info.get("classificationId")
        if not classification_id:
            raise MalformedBody("harmonised without a classificationId")
        body = await self._get(
            f"/api-cnl-inventory/prominent/overview/classifications/harmonised/{classification_id}"
        )
        items = body.get("items")
        if not isinstance(items, list):
            raise MalformedBody("no items")
        classes = []
        for item in items:
            statements = item.get("hazardStatements") or []
            classes.append(
                {
                    "hazard_class": str(item.get("hazardClassAndCategoryCode") or ""),
                    "h_codes": [str(s.get("hazardStatementCode")) for s in statements],
                }
            )
        signal = info.get("signalWord")
        return {
            "classification_id": str(classification_id),
            "signal_word": signal.get("signalWordText") if isinstance(signal, dict) else None,
            "classifications": classes,
        }

    async def lookup(self, identifier: str) -> SourceResult:
        try:
            index = await self.substance(identifier)
            rml_id = str(index.get("rmlId") or "")
            if not rml_id:
                raise MalformedBody("a substance without rmlId")
            harmonised = await self.harmonised(rml_id)
        except NotInSource:
            return SourceResult(SOURCE, SourceStatus.not_found, "not in ECHA CHEM")
        except SourceError as exc:
            return SourceResult.unavailable(SOURCE, f"ECHA: {exc}")
        data: dict[str, Any] = {
            "rml_id": rml_id,
            "name": index.get("rmlName"),
            "cas": index.get("rmlCas"),
            "ec": index.get("rmlEc"),
            "url": f"https://chem.echa.europa.eu/{rml_id}",
            "harmonised": harmonised is not None,
        }
        if harmonised is None:
            message = "ECHA CHEM: no harmonised classification (CLP Annex VI)"
            return SourceResult(SOURCE, SourceStatus.found, message, data)
        classes = [c["hazard_class"] for c in harmonised["classifications"]]
        data |= harmonised | {
            "h_codes": sorted({h for c in harmonised["classifications"] for h in c["h_codes"]}),
            "cmr": cmr_categories(classes),
        }
        return SourceResult(SOURCE, SourceStatus.found, "ECHA CHEM: CLP Annex VI", data)
