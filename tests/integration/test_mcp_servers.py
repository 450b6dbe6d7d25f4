"""The MCP servers, started as subprocesses (`pifai mcp tfda|echa`) and called through the
official `mcp` client over stdio. They answer from the shipped data: no network, no
database."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from mcp import ClientSession, StdioServerParameters, stdio_client

ROOT = Path(__file__).resolve().parents[2]
PIFAI = Path(sys.executable).parent / "pifai"


@asynccontextmanager
async def server(name: str) -> AsyncIterator[ClientSession]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("DATABASE_URL")}
    env["NO_PROXY"] = "*"
    params = StdioServerParameters(command=str(PIFAI), args=["mcp", name], cwd=str(ROOT), env=env)
    errlog = sys.stderr
    async with stdio_client(params, errlog=errlog) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            yield session


async def call(session: ClientSession, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    result = await session.call_tool(tool, arguments)
    assert not result.is_error, result.content
    if isinstance(result.structured_content, dict):
        return result.structured_content
    text = result.content[0].text  # type: ignore[union-attr]
    data: dict[str, Any] = json.loads(text)
    return data


async def test_tfda_server_tools() -> None:
    async with server("tfda") as session:
        tools = await session.list_tools()
        names = {t.name for t in tools.tools}
        assert names == {"check_substance", "search_substances", "list_entries"}
        for tool in tools.tools:
            assert tool.annotations is not None and tool.annotations.read_only_hint is True

        mercury = await call(
            session,
            "check_substance",
            {"product_type": "leave_on_face", "name": "Mercury", "concentration_pct": 0.00001},
        )
        assert mercury["verdict"] == "critical"
        assert any("Annex II/221" in f["citation"] for f in mercury["findings"])

        phenoxy = await call(
            session,
            "check_substance",
            {
                "product_type": "leave_on_face",
                "cas": "122-99-6",
                "concentration_pct": 1.2,
                "function": "preservative",
            },
        )
        assert phenoxy["verdict"] == "high"
        assert phenoxy["resolved"]["inci_name"] == "PHENOXYETHANOL"
        over = [f for f in phenoxy["findings"] if f["rule"] == "over_limit"]
        assert over[0]["limit_pct"] == 1.0 and "TFDA No. 35" in over[0]["citation"]
        assert any("Annex V/29" in f["citation"] for f in phenoxy["findings"])

        fine = await call(
            session,
            "check_substance",
            {"product_type": "leave_on_face", "name": "Phenoxyethanol", "concentration_pct": 0.5},
        )
        assert fine["verdict"] == "no finding"

        bad = await call(session, "check_substance", {"product_type": "bath", "name": "Water"})
        assert "error" in bad

        found = await call(session, "search_substances", {"query": "homosalate"})
        assert {e["authority"] for e in found["entries"]} == {"TFDA", "EU"}
        assert all(e["citation"] for e in found["entries"])

        uv = await call(session, "list_entries", {"list_type": "uv_filter", "authority": "TFDA"})
        assert uv["total"] == 27 and len(uv["entries"]) == 27
        # Read from TFDA's dated open-data records, each cited with its export date.
        assert all(e["verified"] is True and "2026-06-25" in e["citation"] for e in uv["entries"])
        wrong = await call(session, "list_entries", {"list_type": "sunscreens"})
        assert "error" in wrong


async def test_echa_server_tools() -> None:
    async with server("echa") as session:
        tools = await session.list_tools()
        assert {t.name for t in tools.tools} == {"harmonised_classification", "is_cmr_1a_1b"}

        warfarin = await call(session, "harmonised_classification", {"cas": "81-81-2"})
        assert warfarin["found"] is True and warfarin["cmr_1a_1b"] is True
        assert "Reprotoxic Cat. 1A" in warfarin["classification_text"]
        assert warfarin["source"]["repository"] == "openfoodfacts/openbeautyfacts"

        assert (await call(session, "is_cmr_1a_1b", {"cas": "75-21-8"}))["cmr_1a_1b"] is True
        # "Cat. 2" in the source is not mapped to a CLP category: the answer is "unknown".
        dioxane = await call(session, "is_cmr_1a_1b", {"cas": "123-91-1"})
        assert dioxane["cmr_1a_1b"] is None and "notation" in dioxane["message"]
        water = await call(session, "is_cmr_1a_1b", {"cas": "7732-18-5"})
        assert water["cmr_1a_1b"] is None and "not in the local" in water["basis"]
        invalid = await call(session, "harmonised_classification", {"cas": "123-45-6"})
        assert "error" in invalid
