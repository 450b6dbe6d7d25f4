"""MCP server `pifai mcp echa`: harmonised classification (CLP) of a CAS number, read-only.

Answers only from the shipped, cited data (``echa_cmr_classifications.json``); a CAS
number not in it is reported as "not in the local data", never as "not classified".
"""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.types import ToolAnnotations

from pifai.ai.ingredient_validator import is_valid_cas
from pifai.ai.regulatory import RegulatorySnapshot
from pifai.services.regulatory import shipped_snapshot

READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True)


def classification(snapshot: RegulatorySnapshot, cas: str) -> dict[str, Any]:
    cas = cas.strip()
    if not is_valid_cas(cas):
        return {"cas": cas, "error": "not a valid CAS number (format or check digit)"}
    entries = snapshot.classifications.get(cas, [])
    if not entries:
        return {
            "cas": cas,
            "found": False,
            "message": (
                "not in the local harmonised-classification data; this does not mean the "
                "substance is unclassified"
            ),
        }
    entry = entries[0]
    return {
        "cas": cas,
        "found": True,
        "name": entry.name,
        "classification_text": entry.classification.get("classification_text"),
        "hazards": entry.classification.get("hazards", []),
        "cmr_1a_1b": entry.cmr_1a_1b,
        "citation": entry.citation(),
        "source": dict(entry.source),
        "verified": entry.verified,
        "verification_note": entry.verification_note,
    }


def is_cmr(snapshot: RegulatorySnapshot, cas: str) -> dict[str, Any]:
    found = classification(snapshot, cas)
    if "error" in found:
        return found
    if not found["found"]:
        return {"cas": found["cas"], "cmr_1a_1b": None, "basis": found["message"]}
    undetermined = [h for h in found["hazards"] if h.get("clp_category") is None]
    basis = found["citation"]
    if not found["cmr_1a_1b"] and undetermined:
        return {
            "cas": found["cas"],
            "cmr_1a_1b": None,
            "basis": basis,
            "message": (
                "classified CMR, but the source uses a notation whose CLP category is not "
                "determined here: " + found["classification_text"]
            ),
        }
    return {
        "cas": found["cas"],
        "cmr_1a_1b": found["cmr_1a_1b"],
        "classification_text": found["classification_text"],
        "basis": basis,
    }


def build_server(snapshot: RegulatorySnapshot | None = None) -> MCPServer[Any]:
    snap = snapshot or shipped_snapshot()
    server: MCPServer[Any] = MCPServer(
        "pifai-echa",
        instructions="Read-only harmonised (CLP Annex VI) CMR classification, cited local data.",
    )

    @server.tool(annotations=READ_ONLY)
    def harmonised_classification(cas: str) -> dict[str, Any]:
        """The harmonised classification stored for a CAS number, with its source."""
        return classification(snap, cas)

    @server.tool(annotations=READ_ONLY)
    def is_cmr_1a_1b(cas: str) -> dict[str, Any]:
        """Whether a CAS number is classified CMR category 1A or 1B in the local data
        (true/false), or null when the data cannot tell."""
        return is_cmr(snap, cas)

    return server


def main() -> None:
    build_server().run("stdio")


if __name__ == "__main__":
    main()
