"""PubChem and ECHA CHEM clients against httpx.MockTransport, in the services' JSON shapes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
from pydantic import SecretStr

from pifai.ai.toxicology.echa import EchaClient
from pifai.ai.toxicology.pubchem import PubChemClient
from pifai.ai.toxicology.sources import SourceStatus
from pifai.core.config import Settings

BASE = "https://pubchem.test"
Handler = Callable[[httpx.Request], httpx.Response]

NOT_FOUND = {
    "Fault": {
        "Code": "PUGREST.NotFound",
        "Message": "No CID found",
        "Details": ["No CID found that matches the given name"],
    }
}
BUSY = {"Fault": {"Code": "PUGREST.ServerBusy", "Message": "Too many requests or server too busy"}}
# Shapes only: the values are placeholders, not data about these compounds.
CIDS = {"glycerin": 753, "phenoxyethanol": 31236}
GHS_RECORD = {
    "Record": {
        "RecordType": "CID",
        "RecordNumber": 31236,
        "Section": [{"TOCHeading": "Safety and Hazards", "Section": [{
            "TOCHeading": "Hazards Identification", "Section": [{
                "TOCHeading": "GHS Classification",
                "Information": [
                    {"ReferenceNumber": 7, "Name": "Pictogram(s)", "Value": {"StringWithMarkup": [
                        {"String": " ", "Markup": [{"Start": 0, "Length": 1, "Type": "Icon",
                         "URL": "https://pubchem.ncbi.nlm.nih.gov/images/ghs/GHS07.svg",
                         "Extra": "Irritant"}]}]}},
                    {"ReferenceNumber": 7, "Name": "Signal",
                     "Value": {"StringWithMarkup": [{"String": "Warning"}]}},
                    {"ReferenceNumber": 7, "Name": "GHS Hazard Statements",
                     "Value": {"StringWithMarkup": [{"String": "H302: Harmful if swallowed"}]}},
                ],
            }],
        }]}],
        "Reference": [{"ReferenceNumber": 7, "SourceName": "European Chemicals Agency (ECHA)"}],
    }
}  # fmt: skip


def pubchem(handler: Handler) -> tuple[PubChemClient, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    http = httpx.AsyncClient(transport=httpx.MockTransport(record))
    return PubChemClient(http, base_url=BASE, retry_wait=0), seen


def properties_for(request: httpx.Request) -> httpx.Response:
    cids = request.url.path.split("/cid/")[1].split("/")[0].split(",")
    rows = [{"CID": int(c), "MolecularFormula": "CxHy", "MolecularWeight": "100.5",
             "IUPACName": f"name-{c}", "ConnectivitySMILES": "CCO", "XLogP": 1.5}
            for c in cids]  # fmt: skip
    return httpx.Response(200, json={"PropertyTable": {"Properties": rows}})


def healthy(request: httpx.Request) -> httpx.Response:
    path = request.url.path
    if "/name/" in path:
        name = path.split("/name/")[1].split("/")[0]
        if name not in CIDS:
            return httpx.Response(404, json=NOT_FOUND)
        return httpx.Response(200, json={"IdentifierList": {"CID": [CIDS[name]]}})
    if "/property/" in path:
        return properties_for(request)
    if "/pug_view/" in path:
        if "/31236/" in path:
            return httpx.Response(200, json=GHS_RECORD)
        return httpx.Response(
            404, json={"Fault": {"Code": "PUGVIEW.NotFound", "Message": "No data found"}}
        )
    return httpx.Response(400)


async def test_several_compounds_share_one_property_request() -> None:
    client, seen = pubchem(healthy)
    results = await client.lookup(["glycerin", "phenoxyethanol"])
    property_requests = [r for r in seen if "/property/" in r.url.path]
    assert len(property_requests) == 1
    assert "753,31236" in property_requests[0].url.path
    assert "ConnectivitySMILES" in property_requests[0].url.path
    found = results["phenoxyethanol"]
    assert found.status is SourceStatus.found
    assert found.data["cid"] == 31236 and found.data["molecular_weight"] == 100.5
    assert found.data["smiles"] == "CCO" and found.data["xlogp"] == 1.5
    ghs = found.data["ghs"]
    assert ghs[0]["source"] == "European Chemicals Agency (ECHA)"
    assert ghs[0]["hazards"][0]["code"] == "H302" and ghs[0]["pictograms"] == ["GHS07"]
    assert "no GHS classification in PubChem" in results["glycerin"].message
    # names, one property request, GHS per compound.
    assert len(seen) == 2 + 1 + 2


async def test_unknown_compound_is_not_in_pubchem_and_not_retried() -> None:
    client, seen = pubchem(healthy)
    result = (await client.lookup(["no-such-thing"]))["no-such-thing"]
    assert result.status is SourceStatus.not_found and result.message == "not in PubChem"
    assert result.cacheable
    assert len(seen) == 1


async def test_busy_service_is_retried_once_then_unavailable() -> None:
    client, seen = pubchem(lambda request: httpx.Response(503, json=BUSY))
    result = (await client.lookup(["glycerin"]))["glycerin"]
    assert result.status is SourceStatus.unavailable
    assert result.message.startswith("[source unavailable]") and "ServerBusy" in result.message
    assert not result.cacheable
    assert len(seen) == 2


async def test_busy_once_then_answering_succeeds() -> None:
    calls = {"n": 0}

    def flaky(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        return httpx.Response(503, json=BUSY) if calls["n"] == 1 else healthy(request)

    client, _ = pubchem(flaky)
    assert (await client.lookup(["glycerin"]))["glycerin"].status is SourceStatus.found


async def test_timeout_is_unavailable_after_one_retry() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    client, seen = pubchem(slow)
    result = (await client.lookup(["glycerin"]))["glycerin"]
    assert result.status is SourceStatus.unavailable and "timed out" in result.message
    assert len(seen) == 2


async def test_malformed_body_is_unavailable_not_retried() -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        if "/name/" in request.url.path:
            return healthy(request)
        return httpx.Response(200, content=b"<html>maintenance</html>")

    client, seen = pubchem(broken)
    result = (await client.lookup(["glycerin"]))["glycerin"]
    assert result.status is SourceStatus.unavailable and "not JSON" in result.message
    assert len([r for r in seen if "/property/" in r.url.path]) == 1


# --- ECHA CHEM ------------------------------------------------------------------------

ECHA = "https://echa.test"
SEARCH = {"items": [
    {"substanceIndex": {"rmlId": "100.000.001", "rmlName": "Example substance",
                        "rmlCas": "0000-00-0", "rmlEc": "200-000-0"}},
]}  # fmt: skip
INFO = {"classificationId": "139506", "rmlId": "100.000.001", "type": "harmonised",
        "signalWord": {"signalWordCode": "Dgr", "signalWordText": "Danger"}}  # fmt: skip
CLASSES = {"items": [
    {"classificationId": "139506", "hazardClassAndCategoryCode": "Repr. 1B",
     "hazardStatements": [{"hazardStatementCode": "H360F", "hazardStatementText": "..."}]},
    {"classificationId": "139506", "hazardClassAndCategoryCode": "STOT SE 3",
     "hazardStatements": [{"hazardStatementCode": "H335", "hazardStatementText": "..."}]},
]}  # fmt: skip


def echa(handler: Handler) -> tuple[EchaClient, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    http = httpx.AsyncClient(transport=httpx.MockTransport(record))
    return EchaClient(http, base_url=ECHA, api_key="k", retry_wait=0), seen


def echa_healthy(request: httpx.Request) -> httpx.Response:
    path = request.url.path
    if path == "/api-substance/v1/substance":
        return httpx.Response(200, json=SEARCH)
    if path.endswith("/overview/info/100.000.001"):
        return httpx.Response(200, json=INFO)
    if path.endswith("/classifications/harmonised/139506"):
        return httpx.Response(200, json=CLASSES)
    return httpx.Response(404, json={"message": "not found"})


async def test_echa_harmonised_classification_with_cmr_categories() -> None:
    client, seen = echa(echa_healthy)
    result = await client.lookup("0000-00-0")
    assert result.status is SourceStatus.found
    assert result.data["h_codes"] == ["H335", "H360F"]
    assert result.data["cmr"] == [{"kind": "Repr", "category": "1B"}]
    assert result.data["signal_word"] == "Danger"
    assert seen[0].headers["X-API-Key"] == "k"
    assert seen[0].url.params["searchText"] == "0000-00-0"


async def test_echa_without_exact_match_is_not_found() -> None:
    client, _ = echa(echa_healthy)
    assert (await client.lookup("1111-11-1")).status is SourceStatus.not_found


async def test_echa_not_harmonised_is_an_answer() -> None:
    def industry(request: httpx.Request) -> httpx.Response:
        if "/overview/info/" in request.url.path:
            return httpx.Response(200, json={**INFO, "type": "industry"})
        return echa_healthy(request)

    client, _ = echa(industry)
    result = await client.lookup("Example substance")
    assert result.status is SourceStatus.found and result.data["harmonised"] is False
    assert "no harmonised classification" in result.message


async def test_echa_503_timeout_and_malformed_are_unavailable() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503)

    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("timed out", request=request)

    def garbage(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=["not", "an", "object"])

    for handler, calls in ((down, 2), (slow, 2), (garbage, 1)):
        client, seen = echa(handler)
        result = await client.lookup("0000-00-0")
        assert result.status is SourceStatus.unavailable
        assert result.message.startswith("[source unavailable]")
        assert len(seen) == calls


async def test_clients_take_base_urls_and_key_from_settings(tmp_path: Path) -> None:
    settings = Settings(
        app_env="test",
        data_dir=tmp_path,
        pubchem_base_url="https://pubchem.mock/",
        echa_base_url="https://echa.mock",
        echa_api_key=SecretStr("secret-key"),
    )
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(404, json=NOT_FOUND)

    http = httpx.AsyncClient(transport=httpx.MockTransport(record))
    await PubChemClient.from_settings(http, settings, None).lookup(["glycerin"])
    await EchaClient.from_settings(http, settings).lookup("glycerin")
    assert seen[0].url.host == "pubchem.mock" and seen[0].url.path.startswith("/rest/pug/")
    assert seen[1].url.host == "echa.mock" and seen[1].headers["X-API-Key"] == "secret-key"


async def test_one_compounds_ghs_failing_fails_that_ingredient_only() -> None:
    def ghs_down_for_one(request: httpx.Request) -> httpx.Response:
        if "/pug_view/" in request.url.path and "/31236/" in request.url.path:
            return httpx.Response(503, json={"Fault": {"Code": "PUGVIEW.ServerBusy"}})
        return healthy(request)

    client, _ = pubchem(ghs_down_for_one)
    results = await client.lookup(["glycerin", "phenoxyethanol"])
    assert results["glycerin"].status is SourceStatus.found
    assert results["phenoxyethanol"].status is SourceStatus.unavailable
    assert "PUGVIEW.ServerBusy" in results["phenoxyethanol"].message
