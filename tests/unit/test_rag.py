"""RagClient against ``httpx.MockTransport``: no network, no patching of our own code."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from structlog.testing import capture_logs

from pifai.core.config import Settings
from pifai.core.errors import AppError
from pifai.services.rag import (
    RagClient,
    RagNotConfigured,
    RagServiceError,
    safe_create_kb,
    safe_delete_kb,
)

API_KEY = "test-key-abc"
TENANT = "11111111-2222-3333-4444-555555555555"
BASE = "http://rag.test"
ORG = uuid.UUID("aaaaaaaa-0000-0000-0000-000000000001")
PRODUCT = uuid.UUID("bbbbbbbb-0000-0000-0000-000000000002")

Handler = Callable[[httpx.Request], httpx.Response]


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "app_env": "test",
        "data_dir": tmp_path,
        # Given explicitly so Settings does not generate and write development secrets.
        "secret_key": "s",
        "file_encryption_key": "f",
        "field_encryption_key": "k",
        "rag_api_base": BASE,
        "rag_api_key": API_KEY,
        "rag_tenant_id": TENANT,
        "rag_timeout_seconds": 2.0,
        "rag_kb_name_prefix": "pifai",
    }
    values.update(overrides)
    return Settings(**values)


class Recorder:
    """A MockTransport handler that records requests and replays scripted answers."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        # The last answer repeats, so "always 500" is one argument.
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]

    @property
    def calls(self) -> int:
        return len(self.requests)


def ok(data: dict[str, Any], status: int = 200) -> httpx.Response:
    return httpx.Response(status, json={"status": "success", "data": data})


def timeout() -> httpx.ReadTimeout:
    return httpx.ReadTimeout("read timed out")


@pytest.fixture
async def client_for(tmp_path: Path) -> AsyncIterator[Callable[..., RagClient]]:
    """Builds clients on a MockTransport with zero retry wait; closes them afterwards."""
    clients: list[RagClient] = []

    def build(handler: Handler, **overrides: Any) -> RagClient:
        client = RagClient.from_settings(
            make_settings(tmp_path, **overrides),
            transport=httpx.MockTransport(handler),
            retry_wait_seconds=0,
        )
        clients.append(client)
        return client

    yield build
    for client in clients:
        await client.aclose()


# Headers, paths and payloads


async def test_every_request_carries_exact_auth_headers(
    client_for: Callable[..., RagClient],
) -> None:
    rec = Recorder(ok({"id": "kb_1"}), httpx.Response(204))
    client = client_for(rec)
    await client.create_knowledge_base(ORG, PRODUCT)
    await client.delete_knowledge_base("kb_1")
    assert rec.calls == 2
    for request in rec.requests:
        assert request.headers["x-rag-api-key"] == API_KEY
        assert request.headers["x-tenant-id"] == TENANT
        assert request.headers.get_list("x-tenant-id") == [TENANT]
        assert "authorization" not in request.headers


async def test_create_kb_posts_name_and_metadata(client_for: Callable[..., RagClient]) -> None:
    rec = Recorder(ok({"id": "kb_new_xyz", "name": "ignored"}, status=201))
    kb = await client_for(rec).create_knowledge_base(ORG, PRODUCT)
    assert kb.id == "kb_new_xyz"
    assert rec.last.method == "POST"
    assert rec.last.url == f"{BASE}/api/v1/knowledge-bases"
    assert json.loads(rec.last.content) == {
        "name": f"pifai_{ORG}_{PRODUCT}",
        "metadata": {"pif_org_id": str(ORG), "pif_product_id": str(PRODUCT)},
    }


async def test_kb_name_uses_configured_prefix_and_base_path(
    client_for: Callable[..., RagClient],
) -> None:
    rec = Recorder(ok({"id": 42}))
    client = client_for(rec, rag_kb_name_prefix="staging", rag_api_base=f"{BASE}/rag/")
    kb = await client.create_knowledge_base(ORG, PRODUCT)
    assert kb.id == "42"  # numeric ids are kept as strings
    assert json.loads(rec.last.content)["name"] == f"staging_{ORG}_{PRODUCT}"
    assert rec.last.url.path == "/rag/api/v1/knowledge-bases"


async def test_delete_kb_path_is_one_quoted_segment(client_for: Callable[..., RagClient]) -> None:
    rec = Recorder(httpx.Response(204))
    await client_for(rec).delete_knowledge_base("kb/../x")
    assert rec.last.method == "DELETE"
    assert rec.last.url.raw_path == b"/api/v1/knowledge-bases/kb%2F..%2Fx"


async def test_ask_sends_question_and_parses_typed_answer(
    client_for: Callable[..., RagClient],
) -> None:
    rec = Recorder(
        ok(
            {
                "answer": "限量 0.5%",
                "from_wiki": True,
                "sources": [{"title": "附表", "score": 0.9}, "https://example.org/a"],
                "response_time": 1.25,
            }
        )
    )
    answer = await client_for(rec).ask("kb_1", "苯氧乙醇上限?")
    assert rec.last.url.path == "/api/v1/ask"
    assert json.loads(rec.last.content) == {
        "question": "苯氧乙醇上限?",
        "knowledge_base_id": "kb_1",
    }
    assert answer.answer == "限量 0.5%"
    assert answer.from_wiki is True
    assert answer.response_time == 1.25
    assert [s.title for s in answer.sources] == ["附表", "https://example.org/a"]
    assert answer.sources[0].score == 0.9


async def test_add_text_and_url_payloads(client_for: Callable[..., RagClient]) -> None:
    rec = Recorder(ok({"id": "doc_1", "status": "queued"}))
    client = client_for(rec)
    doc = await client.add_text("kb_1", "全成分表", title="formula", metadata={"page": 1})
    assert doc.id == "doc_1" and doc.status == "queued"
    assert rec.last.url.path == "/api/v1/documents/text"
    assert json.loads(rec.last.content) == {
        "knowledge_base_id": "kb_1",
        "title": "formula",
        "metadata": {"page": 1},
        "content": "全成分表",
    }
    await client.add_url("kb_1", "https://example.org/sds.pdf")
    assert rec.last.url.path == "/api/v1/documents/url"
    assert json.loads(rec.last.content) == {
        "knowledge_base_id": "kb_1",
        "url": "https://example.org/sds.pdf",
    }


async def test_add_file_is_multipart_with_kb_id(client_for: Callable[..., RagClient]) -> None:
    rec = Recorder(ok({"id": "doc_2"}))
    await client_for(rec).add_file(
        "kb_1", "安全資料表.pdf", b"%PDF-1.7 body", content_type="application/pdf"
    )
    request = rec.last
    assert request.url.path == "/api/v1/documents/file"
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert request.headers["x-tenant-id"] == TENANT
    body = request.content
    assert b'name="knowledge_base_id"\r\n\r\nkb_1\r\n' in body
    assert 'filename="安全資料表.pdf"'.encode() in body
    assert b"Content-Type: application/pdf\r\n\r\n%PDF-1.7 body" in body


async def test_compile_wiki_path(client_for: Callable[..., RagClient]) -> None:
    rec = Recorder(ok({"status": "compiling", "job_id": "j1"}, status=202))
    result = await client_for(rec).compile_wiki("kb_1")
    assert rec.last.method == "POST"
    assert rec.last.url.path == "/api/v1/knowledge-bases/kb_1/wiki/compile"
    assert result.job_id == "j1"


# Error mapping


async def test_400_missing_tenant_says_so(client_for: Callable[..., RagClient]) -> None:
    rec = Recorder(httpx.Response(400, json={"detail": "X-Tenant-ID header is required"}))
    with pytest.raises(RagServiceError) as info:
        await client_for(rec).ask("kb_1", "q")
    err = info.value
    assert err.status == 400
    assert err.body == {"detail": "X-Tenant-ID header is required"}
    assert "X-Tenant-ID" in err.message and "not 401" in err.message
    assert "RAG_TENANT_ID" in err.message


async def test_other_400_does_not_blame_tenant(client_for: Callable[..., RagClient]) -> None:
    rec = Recorder(httpx.Response(400, json={"detail": "question must not be empty"}))
    with pytest.raises(RagServiceError) as info:
        await client_for(rec).ask("kb_1", "")
    assert info.value.status == 400
    assert "X-Tenant-ID" not in info.value.message


@pytest.mark.parametrize(
    ("status", "hint"),
    [(401, "RAG_API_KEY"), (403, "RAG_API_KEY"), (404, "404"), (500, "500"), (502, "502")],
)
async def test_error_statuses_map_to_rag_service_error(
    client_for: Callable[..., RagClient], status: int, hint: str
) -> None:
    rec = Recorder(httpx.Response(status, text="upstream says no"))
    with pytest.raises(RagServiceError) as info:
        await client_for(rec).create_knowledge_base(ORG, PRODUCT)
    err = info.value
    assert isinstance(err, AppError)
    assert (err.status_code, err.code) == (502, "rag_unavailable")
    assert err.status == status
    assert err.body == "upstream says no"
    assert hint in err.message
    assert err.details == {"upstream_status": status}  # the body is not sent to our clients


async def test_non_success_envelope_and_bad_shape_are_errors(
    client_for: Callable[..., RagClient],
) -> None:
    rec = Recorder(
        httpx.Response(200, json={"status": "error", "message": "quota"}),
        httpx.Response(200, json={"status": "success", "data": {"name": "no id"}}),
        httpx.Response(200, text="<html>proxy</html>"),
    )
    client = client_for(rec)
    for _ in range(3):
        with pytest.raises(RagServiceError) as info:
            await client.create_knowledge_base(ORG, PRODUCT)
        assert info.value.status == 200
    assert rec.calls == 3


async def test_timeout_becomes_rag_service_error_without_status(
    client_for: Callable[..., RagClient],
) -> None:
    rec = Recorder(timeout())
    with pytest.raises(RagServiceError) as info:
        await client_for(rec).ask("kb_1", "q")
    assert info.value.status is None
    assert "ReadTimeout" in info.value.message
    assert rec.calls == 1  # POST: never retried


async def test_connect_error_becomes_rag_service_error(
    client_for: Callable[..., RagClient],
) -> None:
    rec = Recorder(httpx.ConnectError("connection refused"))
    with pytest.raises(RagServiceError) as info:
        await client_for(rec).compile_wiki("kb_1")
    assert info.value.status is None
    assert rec.calls == 1


# Retries: idempotent calls only


async def test_delete_retried_on_503_then_succeeds(client_for: Callable[..., RagClient]) -> None:
    rec = Recorder(httpx.Response(503), httpx.Response(204))
    await client_for(rec).delete_knowledge_base("kb_1")
    assert rec.calls == 2


async def test_delete_retries_timeouts_and_429_at_most_three_times(
    client_for: Callable[..., RagClient],
) -> None:
    rec = Recorder(timeout(), httpx.Response(429), httpx.Response(500))
    with pytest.raises(RagServiceError) as info:
        await client_for(rec).delete_knowledge_base("kb_1")
    assert rec.calls == 3
    assert info.value.status == 500  # the last attempt's error surfaces


async def test_delete_not_retried_on_client_error(client_for: Callable[..., RagClient]) -> None:
    rec = Recorder(httpx.Response(401))
    with pytest.raises(RagServiceError):
        await client_for(rec).delete_knowledge_base("kb_1")
    assert rec.calls == 1


async def test_delete_404_counts_as_done_unless_asked(client_for: Callable[..., RagClient]) -> None:
    rec = Recorder(httpx.Response(404))
    client = client_for(rec)
    await client.delete_knowledge_base("kb_gone")
    with pytest.raises(RagServiceError) as info:
        await client.delete_knowledge_base("kb_gone", missing_ok=False)
    assert info.value.status == 404
    assert rec.calls == 2


@pytest.mark.parametrize("answer", [httpx.Response(503), httpx.Response(429), timeout()])
async def test_create_kb_is_never_retried(
    client_for: Callable[..., RagClient], answer: httpx.Response | Exception
) -> None:
    rec = Recorder(answer, ok({"id": "kb_second"}))
    with pytest.raises(RagServiceError):
        await client_for(rec).create_knowledge_base(ORG, PRODUCT)
    assert rec.calls == 1


# Configuration


@pytest.mark.parametrize("missing", ["rag_api_base", "rag_api_key", "rag_tenant_id"])
async def test_unconfigured_client_refuses_without_calling(
    client_for: Callable[..., RagClient], missing: str
) -> None:
    rec = Recorder(ok({"id": "kb_1"}))
    client = client_for(rec, **{missing: None})
    assert client.is_configured is False
    with pytest.raises(RagNotConfigured):
        await client.create_knowledge_base(ORG, PRODUCT)
    with pytest.raises(RagNotConfigured):
        await client.ask("kb_1", "q")
    assert rec.calls == 0


async def test_closed_client_raises_rag_service_error(client_for: Callable[..., RagClient]) -> None:
    rec = Recorder(ok({"id": "kb_1"}))
    client = client_for(rec)
    assert client.is_configured is True
    await client.aclose()
    with pytest.raises(RagServiceError, match="closed"):
        await client.create_knowledge_base(ORG, PRODUCT)
    assert rec.calls == 0


# Fail-soft wrappers


async def test_safe_create_kb_returns_id(client_for: Callable[..., RagClient]) -> None:
    assert await safe_create_kb(client_for(Recorder(ok({"id": "kb_9"}))), ORG, PRODUCT) == "kb_9"


@pytest.mark.parametrize("answer", [httpx.Response(500), timeout()])
async def test_safe_create_kb_returns_none_and_warns(
    client_for: Callable[..., RagClient], answer: httpx.Response | Exception
) -> None:
    with capture_logs() as logs:
        assert await safe_create_kb(client_for(Recorder(answer)), ORG, PRODUCT) is None
    assert [entry["log_level"] for entry in logs] == ["warning"]
    assert logs[0]["product_id"] == str(PRODUCT)


async def test_safe_wrappers_on_unconfigured_client_log_info(
    client_for: Callable[..., RagClient],
) -> None:
    rec = Recorder(ok({"id": "kb_1"}))
    client = client_for(rec, rag_api_key=None)
    with capture_logs() as logs:
        assert await safe_create_kb(client, ORG, PRODUCT) is None
        assert await safe_delete_kb(client, "kb_1") is False
    assert [entry["log_level"] for entry in logs] == ["info", "info"]
    assert rec.calls == 0


async def test_safe_delete_kb_true_on_success_and_false_on_failure(
    client_for: Callable[..., RagClient],
) -> None:
    assert await safe_delete_kb(client_for(Recorder(httpx.Response(204))), "kb_1") is True
    failing = Recorder(httpx.Response(500))
    with capture_logs() as logs:
        assert await safe_delete_kb(client_for(failing), "kb_1") is False
        assert await safe_delete_kb(client_for(Recorder(timeout())), "kb_1") is False
    assert failing.calls == 3  # DELETE is retried before giving up
    assert [entry["log_level"] for entry in logs if entry["log_level"] != "info"] == [
        "warning",
        "warning",
    ]


async def test_api_key_never_appears_in_errors(client_for: Callable[..., RagClient]) -> None:
    rec = Recorder(httpx.Response(401, json={"detail": "bad key"}))
    with pytest.raises(RagServiceError) as info:
        await client_for(rec).ask("kb_1", "q")
    assert API_KEY not in str(info.value) and API_KEY not in repr(info.value.details)
