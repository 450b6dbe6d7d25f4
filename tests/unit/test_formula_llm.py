"""The optional LLM path, offline: `httpx2.MockTransport` plays the Anthropic Messages API.

The installed `anthropic` SDK speaks `httpx2` and refuses `httpx` objects, so the mock is
an `httpx2.MockTransport`; it is the only thing faked. The tools the model calls are our
own code and run for real, against the shipped ingredient dictionary.
"""

from __future__ import annotations

import base64
import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2
import pytest
from fpdf import FPDF
from PIL import Image

from pifai.ai.document_parser import FormulaParseError, ParsedFormula, RawRow, parse_formula
from pifai.ai.formula_llm import (
    LLM_CONFIDENCE_CAP,
    REVIEW_NOTE,
    TOOL_NAMES,
    LlmExtractionError,
    apply_review,
    extract_formula_with_llm,
    llm_can_read,
)
from pifai.ai.ingredient_validator import IngredientDictionary, validate_formula
from pifai.ai.llm import build_client, llm_enabled
from pifai.core.config import Settings

DATA = Path(__file__).resolve().parents[2] / "pifai" / "data" / "ingredients.csv"
MODEL = "claude-sonnet-4-6"  # from the SDK's model list; 4-5 is deprecated
API_KEY = "sk-ant-api03-test-key-not-real"


# --- fixtures ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dictionary() -> IngredientDictionary:
    with DATA.open(encoding="utf-8") as handle:
        return IngredientDictionary.from_rows(csv.DictReader(handle))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        app_env="development",
        data_dir=tmp_path,
        anthropic_api_key=API_KEY,
        llm_model=MODEL,
        llm_timeout_seconds=7.5,
    )


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 32), "white").save(out, format="PNG")
    return out.getvalue()


PNG = _png()


# --- a scripted Messages API ---------------------------------------------------------

Reply = httpx2.Response | Callable[[httpx2.Request], httpx2.Response]


class FakeApi:
    """Answers POST /v1/messages with the scripted replies, in order; records requests."""

    def __init__(self, *replies: Reply) -> None:
        self.replies = list(replies)
        self.requests: list[httpx2.Request] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        assert request.method == "POST" and request.url.path == "/v1/messages"
        if not self.replies:
            return _error(400, "invalid_request_error", "the test script has no more replies")
        reply = self.replies.pop(0)
        return reply(request) if callable(reply) else reply

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests]

    def transport(self) -> httpx2.MockTransport:
        return httpx2.MockTransport(self)


_ids = iter(range(1, 10_000))


def _tool(tool_name: str, **arguments: Any) -> dict[str, Any]:
    return {
        "type": "tool_use",
        "id": f"toolu_01Q{next(_ids):05d}xYz",
        "name": tool_name,
        "input": arguments,
    }


def _message(*content: dict[str, Any], stop_reason: str = "tool_use") -> httpx2.Response:
    body = {
        "id": f"msg_01H{next(_ids):05d}AbC",
        "type": "message",
        "role": "assistant",
        "model": MODEL,
        "content": list(content),
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": {
            "input_tokens": 1843,
            "output_tokens": 412,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
            "service_tier": "standard",
        },
    }
    return httpx2.Response(200, json=body, headers={"request-id": "req_011CTest"})


def _text(text: str) -> dict[str, Any]:
    return {"type": "text", "text": text}


def _error(status: int, kind: str, message: str, **headers: str) -> httpx2.Response:
    body = {"type": "error", "error": {"type": kind, "message": message}, "request_id": "req_1"}
    return httpx2.Response(status, json=body, headers={"request-id": "req_1", **headers})


def _row(
    name: str, concentration: str | None, cas: str | None, function: str | None
) -> dict[str, Any]:
    return {"name": name, "concentration": concentration, "cas": cas, "function": function}


def _tool_results(body: dict[str, Any]) -> list[dict[str, Any]]:
    last = body["messages"][-1]
    assert last["role"] == "user"
    return [b for b in last["content"] if b["type"] == "tool_result"]


async def _run(
    settings: Settings,
    api: FakeApi,
    data: bytes = PNG,
    *,
    dictionary: IngredientDictionary | None = None,
    max_turns: int = 6,
    max_retries: int = 0,
) -> ParsedFormula:
    client = build_client(settings, transport=api.transport(), max_retries=max_retries)
    assert client is not None
    async with client:
        return await extract_formula_with_llm(
            client,
            data,
            "formula-photo.png",
            model=settings.llm_model,
            dictionary=dictionary,
            max_turns=max_turns,
        )


# --- the client factory --------------------------------------------------------------


async def test_no_client_and_no_request_without_a_key(tmp_path: Path) -> None:
    api = FakeApi(_message(_text("unused"), stop_reason="end_turn"))
    settings = Settings(app_env="development", data_dir=tmp_path, anthropic_api_key=None)
    assert not llm_enabled(settings)
    assert build_client(settings, transport=api.transport()) is None
    blank = Settings(app_env="development", data_dir=tmp_path, anthropic_api_key="  ")
    assert build_client(blank, transport=api.transport()) is None
    assert api.requests == []


def test_client_takes_key_and_timeout_from_settings(settings: Settings) -> None:
    client = build_client(settings, transport=FakeApi().transport(), max_retries=1)
    assert client is not None
    assert llm_enabled(settings)
    assert client.api_key == API_KEY
    assert client.timeout == 7.5
    assert client.max_retries == 1


# --- the happy path ------------------------------------------------------------------


async def test_model_uses_our_tools_then_submits_rows(
    settings: Settings, dictionary: IngredientDictionary
) -> None:
    api = FakeApi(
        _message(
            _text("I can see a three-row formula table. Let me check each value."),
            _tool("normalise_ingredient", name="Aqua"),
            _tool("normalise_ingredient", name="Glycerin"),
            _tool("normalise_ingredient", name="Phenoxyethanol"),
            _tool("validate_cas", cas="7732-18-5"),
            _tool("validate_cas", cas="56-81-5"),
            _tool("validate_cas", cas="122-99-6"),
            _tool("parse_concentration", text="q.s. to 100"),
            _tool("parse_concentration", text="5.0"),
            _tool("parse_concentration", text="0,9"),
        ),
        _message(
            _tool(
                "submit_rows",
                rows=[
                    _row("Aqua", "q.s. to 100", "7732-18-5", "solvent"),
                    _row("Glycerin", "5.0", "56-81-5", "humectant"),
                    _row("Phenoxyethanol", "0,9", "122-99-6", "preservative"),
                ],
            )
        ),
    )
    parsed = await _run(settings, api, dictionary=dictionary)

    assert parsed.format == "image"
    assert [(r.name, r.concentration, r.cas, r.function) for r in parsed.rows] == [
        ("Aqua", "q.s. to 100", "7732-18-5", "solvent"),
        ("Glycerin", "5.0", "56-81-5", "humectant"),
        ("Phenoxyethanol", "0,9", "122-99-6", "preservative"),
    ]
    assert all(r.notes == () for r in parsed.rows)
    assert parsed.confidence_cap == LLM_CONFIDENCE_CAP < 0.8
    assert any("by the LLM" in n and MODEL in n and "check every row" in n for n in parsed.notes)
    assert len(api.requests) == 2  # the accepted submission ends the exchange

    first, second = api.bodies
    assert first["model"] == settings.llm_model
    assert [t["name"] for t in first["tools"]] == list(TOOL_NAMES)
    assert all(t["input_schema"]["type"] == "object" for t in first["tools"])
    submit = next(t for t in first["tools"] if t["name"] == "submit_rows")
    assert submit["input_schema"]["properties"]["rows"]["items"]["required"] == [
        "name", "concentration", "cas", "function",
    ]  # fmt: skip
    assert "validate_cas" in first["system"]
    image = first["messages"][0]["content"][0]
    assert image == {
        "type": "image",
        "source": {
            "type": "base64",
            "media_type": "image/png",
            "data": base64.standard_b64encode(PNG).decode(),
        },
    }
    headers = api.requests[0].headers
    # This SDK sends the key as a bearer token (older ones used x-api-key).
    sent_key = headers.get("x-api-key") or headers.get("authorization", "").removeprefix("Bearer ")
    assert sent_key == API_KEY
    assert "anthropic-version" in api.requests[0].headers

    # The second request replays the assistant turn and carries OUR tools' answers.
    assistant = second["messages"][1]
    assert assistant["role"] == "assistant"
    assert [b["type"] for b in assistant["content"]] == ["text"] + ["tool_use"] * 9
    results = [json.loads(r["content"]) for r in _tool_results(second)]
    assert [r["tool_use_id"] for r in _tool_results(second)] == [
        b["id"] for b in assistant["content"] if b["type"] == "tool_use"
    ]
    aqua, glycerin, phenoxy, water_cas, glycerin_cas, phenoxy_cas, qs, five, comma = results
    assert aqua["match"]["inci"] == "WATER" and aqua["match"]["method"] == "synonym"
    assert "7732-18-5" in aqua["match"]["cas_on_record"]
    assert glycerin["match"]["inci"] == "GLYCERIN" and glycerin["match"]["method"] == "exact"
    assert phenoxy["match"]["cas_on_record"] == ["122-99-6"]
    assert water_cas == {"cas": "7732-18-5", "valid": True, "on_record_for": "WATER"}
    assert glycerin_cas["valid"] and phenoxy_cas["on_record_for"] == "PHENOXYETHANOL"
    assert qs["understood"] and qs["is_balance"] and qs["percent_w_w"] is None
    assert five["percent_w_w"] == 5.0
    assert comma["percent_w_w"] == 0.9

    # Downstream: validated like any parse, then capped and flagged for review.
    validated = apply_review(validate_formula(parsed.rows, dictionary), parsed)
    by_inci = {r.inci: r for r in validated.rows}
    assert by_inci["WATER"].concentration == pytest.approx(94.1)
    assert by_inci["PHENOXYETHANOL"].concentration == pytest.approx(0.9)
    assert validated.total == pytest.approx(100.0)
    assert all(r.confidence <= LLM_CONFIDENCE_CAP and r.flagged for r in validated.rows)
    assert all(REVIEW_NOTE in r.notes for r in validated.rows)
    assert validated.confidence <= LLM_CONFIDENCE_CAP < 0.8


# --- the model is not trusted for numbers --------------------------------------------


async def test_cas_never_validated_in_the_conversation_is_dropped(
    settings: Settings, dictionary: IngredientDictionary
) -> None:
    api = FakeApi(
        _message(_tool("validate_cas", cas="7732-18-5")),
        _message(
            _tool(
                "submit_rows",
                rows=[
                    _row("Water", "94.1", "7732-18-5", None),
                    # 56-81-5 is a real, valid CAS, but the model never had us check it.
                    _row("Glycerin", "5", "56-81-5", None),
                    _row("Phenoxyethanol", "0.9", None, None),
                ],
            )
        ),
    )
    parsed = await _run(settings, api, dictionary=dictionary)
    water, glycerin, phenoxy = parsed.rows
    assert water.cas == "7732-18-5" and water.notes == ()
    assert glycerin.cas is None
    assert glycerin.notes == (
        "CAS 56-81-5 supplied by the LLM was never checked with validate_cas; dropped",
    )
    assert phenoxy.cas is None and phenoxy.notes == ()
    assert any("1 CAS number(s)" in n for n in parsed.notes)

    # The note reaches the validated row; the CAS there comes from OUR dictionary.
    validated = apply_review(validate_formula(parsed.rows, dictionary), parsed)
    row = next(r for r in validated.rows if r.inci == "GLYCERIN")
    assert any("never checked with validate_cas" in n for n in row.notes)
    assert row.cas == "56-81-5"
    assert any("taken from the ingredient dictionary" in n for n in row.notes)


async def test_cas_validated_in_the_same_turn_as_the_submission_counts(
    settings: Settings,
) -> None:
    api = FakeApi(
        _message(
            _tool("submit_rows", rows=[_row("Glycerin", "5", "56-81-5", None)]),
            _tool("validate_cas", cas="56-81-5"),
        )
    )
    parsed = await _run(settings, api)
    assert parsed.rows[0].cas == "56-81-5" and parsed.rows[0].notes == ()


async def test_cas_failing_its_check_digit_is_dropped(
    settings: Settings, dictionary: IngredientDictionary
) -> None:
    api = FakeApi(
        _message(_tool("validate_cas", cas="56-81-6"), _tool("validate_cas", cas="122-99-6")),
        _message(
            _tool(
                "submit_rows",
                rows=[
                    _row("Glycerin", "5", "56-81-6", "humectant"),
                    _row("Phenoxyethanol", "1", "122-99-6", "preservative"),
                ],
            )
        ),
    )
    parsed = await _run(settings, api, dictionary=dictionary)
    bad, good = [json.loads(r["content"]) for r in _tool_results(api.bodies[1])]
    assert bad == {"cas": "56-81-6", "valid": False, "reason": "the check digit does not match"}
    assert good["valid"] is True
    glycerin, phenoxy = parsed.rows
    assert glycerin.cas is None
    assert glycerin.notes == ("CAS 56-81-6 supplied by the LLM fails its check digit; dropped",)
    assert phenoxy.cas == "122-99-6"


async def test_cas_that_is_not_a_cas_number_is_dropped(settings: Settings) -> None:
    api = FakeApi(
        _message(_tool("submit_rows", rows=[_row("Water", "q.s.", "see supplier COA", None)]))
    )
    parsed = await _run(settings, api)
    [water] = parsed.rows
    assert water.cas is None
    assert water.notes == (
        "CAS 'see supplier COA' supplied by the LLM is not a CAS number; dropped",
    )


async def test_unparseable_concentration_is_left_empty_with_a_note(
    settings: Settings, dictionary: IngredientDictionary
) -> None:
    api = FakeApi(
        _message(_tool("parse_concentration", text="about five")),
        _message(
            _tool(
                "submit_rows",
                rows=[
                    _row("Water", "ad 100", None, "solvent"),
                    _row("Glycerin", "about five", None, "humectant"),
                    _row("Phenoxyethanol", "150%", None, "preservative"),
                ],
            )
        ),
    )
    parsed = await _run(settings, api, dictionary=dictionary)
    [told] = [json.loads(r["content"]) for r in _tool_results(api.bodies[1])]
    assert told["understood"] is False and told["percent_w_w"] is None
    water, glycerin, phenoxy = parsed.rows
    assert water.concentration == "ad 100" and water.notes == ()
    assert glycerin.concentration is None
    assert glycerin.notes == (
        "concentration 'about five' read by the LLM is not understood by our parser; left empty",
    )
    assert phenoxy.concentration is None  # 150 % is no share of a formula
    assert any("2 concentration(s)" in n for n in parsed.notes)
    validated = apply_review(validate_formula(parsed.rows, dictionary), parsed)
    glycerin_row = next(r for r in validated.rows if r.inci == "GLYCERIN")
    assert glycerin_row.concentration is None and glycerin_row.flagged


async def test_model_remark_is_kept_as_a_row_note(settings: Settings) -> None:
    row = _row("Phenoxyethanol", "0.9", None, None) | {"remark": "last digit smudged"}
    api = FakeApi(_message(_tool("submit_rows", rows=[row])))
    parsed = await _run(settings, api)
    assert parsed.rows[0].notes == ("LLM remark: last digit smudged",)


# --- bounded and fail-soft -----------------------------------------------------------


async def test_turn_limit_stops_a_model_that_never_submits(settings: Settings) -> None:
    api = FakeApi(*(_message(_tool("normalise_ingredient", name="Aqua")) for _ in range(5)))
    with pytest.raises(LlmExtractionError, match="within 3 turns"):
        await _run(settings, api, max_turns=3)
    assert len(api.requests) == 3
    assert len(api.bodies[-1]["messages"]) == 5  # user, (assistant, tool results) x 2


@pytest.mark.parametrize(
    ("status", "kind", "words"),
    [
        (529, "overloaded_error", "overloaded (HTTP 529)"),
        (500, "api_error", "failed (HTTP 500)"),
        (401, "authentication_error", "refused the API key (HTTP 401)"),
    ],
)
async def test_api_errors_become_a_clear_extraction_error(
    settings: Settings, status: int, kind: str, words: str
) -> None:
    api = FakeApi(_error(status, kind, "Overloaded" if status == 529 else "Internal error"))
    with pytest.raises(LlmExtractionError) as caught:
        await _run(settings, api)
    assert words in caught.value.message
    assert len(api.requests) == 1


async def test_transient_overload_is_retried_by_the_sdk(settings: Settings) -> None:
    api = FakeApi(
        _error(529, "overloaded_error", "Overloaded", **{"retry-after-ms": "5"}),
        _message(_tool("submit_rows", rows=[_row("Water", "100", None, None)])),
    )
    parsed = await _run(settings, api, max_retries=1)
    assert [r.name for r in parsed.rows] == ["Water"]
    assert len(api.requests) == 2


async def test_timeout_becomes_a_clear_extraction_error(settings: Settings) -> None:
    def hang(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ReadTimeout("timed out", request=request)

    with pytest.raises(LlmExtractionError, match=r"did not answer within 7.5 s"):
        await _run(settings, FakeApi(hang))


@pytest.mark.parametrize(
    "reply",
    [
        httpx2.Response(200, content=b"<html>502 Bad Gateway</html>"),
        httpx2.Response(200, json={"type": "message", "content": [{"type": "tool_use"}]}),
        httpx2.Response(200, json={"type": "message", "role": "assistant", "content": "rows"}),
    ],
    ids=["html", "no-usage", "content-not-a-list"],
)
async def test_garbage_from_the_api_is_an_extraction_error(
    settings: Settings, reply: httpx2.Response
) -> None:
    with pytest.raises(LlmExtractionError, match="could not read"):
        await _run(settings, FakeApi(reply))


async def test_tool_call_without_an_input_object_is_reported_back(settings: Settings) -> None:
    call = _tool("validate_cas") | {"input": None}
    submit = _tool("submit_rows") | {"input": ["Water"]}
    api = FakeApi(
        _message(call, submit),
        _message(_tool("submit_rows", rows=[_row("Water", "100", None, None)])),
    )
    parsed = await _run(settings, api)
    assert [r.name for r in parsed.rows] == ["Water"]
    echoed = api.bodies[1]["messages"][1]["content"]
    assert [b["input"] for b in echoed] == [{}, {}]  # the API requires objects
    assert [(e["content"], e["is_error"]) for e in _tool_results(api.bodies[1])] == [
        ("invalid input: the input must be an object", True),
        ("invalid input: the input must be an object", True),
    ]


async def test_malformed_tool_input_is_reported_back_and_can_be_fixed(
    settings: Settings,
) -> None:
    api = FakeApi(
        _message(
            _tool("submit_rows", rows="Water 100%"),
            _tool("normalise_ingredient", nom="Aqua"),
            _tool("lookup_cas_online", name="Glycerin"),
        ),
        _message(_tool("submit_rows", rows=[_row("Water", "100", None, None)])),
    )
    parsed = await _run(settings, api)
    assert [r.name for r in parsed.rows] == ["Water"]
    errors = _tool_results(api.bodies[1])
    assert all(e["is_error"] is True for e in errors)
    assert [e["content"] for e in errors] == [  # in the order of the calls
        "invalid input: `rows` must be a list of row objects",
        "invalid input: `name` must be a non-empty string",
        f"invalid input: unknown tool 'lookup_cas_online'; use one of {TOOL_NAMES}",
    ]


async def test_malformed_submission_never_fixed_fails_within_the_turn_limit(
    settings: Settings,
) -> None:
    bad = [{"concentration": "5", "cas": None, "function": None}]  # no name
    api = FakeApi(*(_message(_tool("submit_rows", rows=bad)) for _ in range(2)))
    with pytest.raises(LlmExtractionError, match="within 2 turns"):
        await _run(settings, api, max_turns=2)
    [error] = _tool_results(api.bodies[1])
    assert error["content"] == "invalid input: row 1: `name` is required"


async def test_model_ending_without_submitting_is_an_error(settings: Settings) -> None:
    api = FakeApi(
        _message(_text("The photo is too blurry to read any values."), stop_reason="end_turn")
    )
    with pytest.raises(LlmExtractionError, match="too blurry"):
        await _run(settings, api)


async def test_empty_submission_means_no_formula(settings: Settings) -> None:
    api = FakeApi(_message(_tool("submit_rows", rows=[])))
    with pytest.raises(LlmExtractionError, match="no formula table in the image"):
        await _run(settings, api)


async def test_oversized_image_is_refused_before_any_request(settings: Settings) -> None:
    api = FakeApi()
    big = PNG + b"\x00" * (5 * 1024 * 1024)
    with pytest.raises(LlmExtractionError, match="up to 5 MB"):
        await _run(settings, api, big)
    assert api.requests == []


# --- inputs --------------------------------------------------------------------------


def _scan_pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(10, 10, 50, 20)  # drawn, no text layer: what a scanner produces
    return bytes(pdf.output())


def _prose_pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Our lovely cream makes you happy.")
    return bytes(pdf.output())


def _parse_error(data: bytes) -> FormulaParseError:
    with pytest.raises(FormulaParseError) as caught:
        parse_formula(data, "x")
    return caught.value


def test_which_parser_failures_go_to_the_llm() -> None:
    assert llm_can_read(PNG, _parse_error(PNG))
    assert llm_can_read(_scan_pdf(), _parse_error(_scan_pdf()))
    assert llm_can_read(_prose_pdf(), _parse_error(_prose_pdf()))
    damaged = b"%PDF-1.4\n" + b"\x00garbage" * 50
    assert not llm_can_read(damaged, _parse_error(damaged))
    text = b"just some words"
    assert not llm_can_read(text, _parse_error(text))


async def test_pdf_goes_as_a_document_block(settings: Settings) -> None:
    pdf = _scan_pdf()
    api = FakeApi(_message(_tool("submit_rows", rows=[_row("Water", "100", None, None)])))
    parsed = await _run(settings, api, pdf)
    assert parsed.format == "pdf"
    block = api.bodies[0]["messages"][0]["content"][0]
    assert block["type"] == "document"
    assert block["source"]["media_type"] == "application/pdf"
    assert base64.standard_b64decode(block["source"]["data"]) == pdf


async def test_tiff_is_sent_as_png_and_jpeg_as_jpeg(settings: Settings) -> None:
    def encoded(fmt: str) -> bytes:
        out = io.BytesIO()
        Image.new("RGB", (40, 20), "white").save(out, format=fmt)
        return out.getvalue()

    seen: list[str] = []
    for fmt, media in (("TIFF", "image/png"), ("JPEG", "image/jpeg")):
        api = FakeApi(_message(_tool("submit_rows", rows=[_row("Water", "100", None, None)])))
        await _run(settings, api, encoded(fmt))
        source = api.bodies[0]["messages"][0]["content"][0]["source"]
        assert source["media_type"] == media
        seen.append(source["media_type"])
        if fmt == "TIFF":
            assert base64.standard_b64decode(source["data"]).startswith(b"\x89PNG")
    assert seen == ["image/png", "image/jpeg"]


def test_review_leaves_a_deterministic_parse_alone(dictionary: IngredientDictionary) -> None:
    parsed = ParsedFormula(
        format="csv",
        rows=[RawRow("Water", "94", "7732-18-5", row=2), RawRow("Glycerin", "6", row=3)],
    )
    before = validate_formula(parsed.rows, dictionary)
    snapshot = [(r.confidence, r.flagged, list(r.notes)) for r in before.rows]
    confidence = before.confidence
    after = apply_review(before, parsed)
    assert [(r.confidence, r.flagged, r.notes) for r in after.rows] == snapshot
    assert after.confidence == confidence >= 0.8
