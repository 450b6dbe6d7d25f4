"""MCP server `pifai mcp tfda`: the regulatory lists, read-only, over stdio.

Answers from the shipped data (``pifai/data/regulatory``) through the same rule engine
as the API, so it works offline and never writes anything. Tools: check a substance for
a product type and concentration, search substances, list the entries of a list type.
"""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.types import ToolAnnotations

from pifai.ai.regulatory import (
    FormulaItem,
    RegEntry,
    RegulatorySnapshot,
)
from pifai.domain import LIST_TYPES, PRODUCT_TYPES
from pifai.services.regulatory import shipped_snapshot

READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True)


def entry_summary(entry: RegEntry) -> dict[str, Any]:
    return {
        "key": entry.key,
        "authority": entry.authority,
        "list_type": entry.list_type,
        "entry_ref": entry.entry_ref,
        "name": entry.name,
        "names": list(entry.names[:10]),
        "cas": list(entry.cas),
        "limits": [
            {
                "max_pct": lim.max_pct,
                "applies_to": sorted(lim.applies_to),
                "expressed_as": lim.expressed_as,
            }
            for lim in entry.limits
        ],
        "scope": sorted(entry.scope),
        "excluded": sorted(entry.excluded),
        "conditions": entry.conditions,
        "warnings": entry.warnings,
        "citation": entry.citation(),
        "verified": entry.verified,
    }


def check_substance(
    snapshot: RegulatorySnapshot,
    product_type: str,
    name: str | None = None,
    cas: str | None = None,
    concentration_pct: float | None = None,
    function: str | None = None,
    children_under_3: bool = False,
) -> dict[str, Any]:
    if product_type not in PRODUCT_TYPES:
        return {"error": f"product_type must be one of: {', '.join(PRODUCT_TYPES)}"}
    if not name and not cas:
        return {"error": "give a name or a CAS number"}
    result = snapshot.check(
        [FormulaItem(name, cas, concentration_pct, function)],
        product_type,
        children_under_3=children_under_3,
    )
    return {
        "product_type": product_type,
        "verdict": result.worst or "no finding",
        "findings": [f.to_dict() for f in result.findings],
        "resolved": result.resolved[0].to_dict(),
    }


def build_server(snapshot: RegulatorySnapshot | None = None) -> MCPServer[Any]:
    snap = snapshot or shipped_snapshot()
    server: MCPServer[Any] = MCPServer(
        "pifai-tfda",
        instructions=(
            "Read-only TFDA and EU cosmetic regulatory lists (prohibited, restricted, "
            "preservatives, colorants, UV filters) with citations. Product types: "
            + ", ".join(PRODUCT_TYPES)
        ),
    )

    @server.tool(name="check_substance", annotations=READ_ONLY)
    def check_substance_tool(
        product_type: str,
        name: str | None = None,
        cas: str | None = None,
        concentration_pct: float | None = None,
        function: str | None = None,
        children_under_3: bool = False,
    ) -> dict[str, Any]:
        """Check one substance for a product type and concentration: findings (critical,
        high, advisory, info) with the TFDA/EU entry each one cites."""
        return check_substance(
            snap, product_type, name, cas, concentration_pct, function, children_under_3
        )

    @server.tool(annotations=READ_ONLY)
    def search_substances(query: str, limit: int = 20) -> dict[str, Any]:
        """Entries whose names or CAS numbers contain the query."""
        hits = snap.search(query, limit=max(1, min(limit, 100)))
        return {"query": query, "count": len(hits), "entries": [entry_summary(e) for e in hits]}

    @server.tool(annotations=READ_ONLY)
    def list_entries(
        list_type: str, authority: str | None = "TFDA", limit: int = 100, offset: int = 0
    ) -> dict[str, Any]:
        """Entries of one list type (prohibited, restricted, preservative, colorant,
        uv_filter), of one authority (TFDA, EU) or of both (authority empty)."""
        if list_type not in LIST_TYPES:
            return {"error": f"list_type must be one of: {', '.join(LIST_TYPES)}"}
        entries = snap.entries_of(list_type, authority or None)
        page = entries[max(0, offset) : max(0, offset) + max(1, min(limit, 500))]
        return {
            "list_type": list_type,
            "authority": authority,
            "total": len(entries),
            "entries": [entry_summary(e) for e in page],
        }

    return server


def main() -> None:
    build_server().run("stdio")


if __name__ == "__main__":
    main()
