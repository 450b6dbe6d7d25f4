"""The PIF document: render (WeasyPrint) and draw in the attachments (pypdf) for a product
of 16 filled items, 50 ingredients (items 10 and 16 with a row each) and 10 attached
5-page PDFs; wall time and peak memory, against a baseline run beside it in the same
process: the same document without attachments.

    .venv/bin/python -m bench.pdf [--repeat 3]

Goal (issue 19): under 3 s and under 500 MB on the project's machine. Peak memory is the
process's maximum resident set (it only grows, so the baseline runs first) and the peak of
Python allocations (tracemalloc) within each run.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
import tracemalloc
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fpdf import FPDF

from pifai.ai.pif_document.attach import inspect_pdf, overlay
from pifai.ai.pif_document.model import Attachment, DocumentData, VersionInfo
from pifai.ai.pif_document.render import render_pdf
from pifai.services.pif.items import ITEMS

NAMES = {n: (d.name_zh, d.name_en) for n, d in ITEMS.items()}
ATTACHED_ITEMS = (2, 4, 5, 6, 11, 12, 13, 14, 15, 16)


def _attachment(folder: Path, item: int) -> Attachment:
    document = FPDF()
    for page in range(1, 6):
        document.add_page()
        document.set_font("helvetica", size=14)
        for line in range(40):
            document.cell(
                0, 6, f"Item {item} report, page {page}, line {line}", new_x="LMARGIN", new_y="NEXT"
            )
    path = folder / f"item-{item}.pdf"
    path.write_bytes(bytes(document.output()))
    pages, error = inspect_pdf(path)
    return Attachment(
        item, f"報告-{item}.pdf", 1, "0" * 64, "application/pdf", "pdf", path, pages, error
    )


def _data(folder: Path) -> DocumentData:
    formula = [
        {"inci": f"INGREDIENT {i:02d}", "raw_name": f"Ingredient {i}", "cas": "50-00-0",
         "concentration": round(10 / (i + 1), 4), "function": "保濕劑", "is_balance": False,
         "zh_name": f"成分{i}", "tfda_status": ["restricted"] if i % 7 == 0 else []}
        for i in range(50)
    ]  # fmt: skip
    rows = [
        {"ingredient": r["inci"], "concentration_pct": r["concentration"], "rung": "noael",
         "rung_label_zh": "數值 NOAEL", "sed_mg_per_kg_day": 0.01, "mos": 1000.0 + i,
         "point_of_departure_mg_per_kg_day": 10.0, "status_zh": "可接受",
         "basis": "NOAEL 10 mg/kg bw/day (SCCS opinion)"}
        for i, r in enumerate(formula)
    ]  # fmt: skip
    acute = {"text": "LD50 > 2000 mg/kg", "source": "ECHA"}
    profiles = [
        {"ingredient": r["inci"], "conclusions": [],
         "endpoints": [{"label_zh": "急毒性", "findings": [acute], "gaps": []},
                       {"label_zh": "致敏性", "findings": [], "gaps": ["[no data in ECHA]"]}]}
        for r in formula
    ]  # fmt: skip
    items: dict[int, dict[str, Any]] = {
        n: {"status": "human_reviewed", "confidence": 0.9, "content": {"notes": "已審閱。"}}
        for n in ITEMS
    }
    items[10]["content"] = {"engine_draft": {"ingredients": profiles}}
    items[16]["content"] = {
        "engine_draft": {"ingredients": rows, "conclusion": {"zh-TW": "可接受。"},
                         "product": {"zh-TW": "產品"}, "exposure": {"zh-TW": "暴露量"},
                         "computation_basis": []}
    }  # fmt: skip
    return DocumentData(
        organisation="效能測試公司",
        version=VersionInfo(0, "draft"),
        generated_at=datetime(2026, 12, 1, tzinfo=UTC),
        product={
            "name": "效能測試精華液",
            "name_en": "Bench Serum",
            "product_type": "leave_on_face",
        },
        items=items,
        formula=formula,
        attachments={n: [_attachment(folder, n)] for n in ATTACHED_ITEMS},
    )


def _once(data: DocumentData, folder: Path) -> tuple[float, int]:
    start = time.perf_counter()
    rendered = render_pdf(data, NAMES, folder / "rendered.pdf")
    overlay(
        folder / "rendered.pdf", folder / "document.pdf", rendered.placeholders, data.attachments
    )
    return time.perf_counter() - start, rendered.pages


def _python_peak(data: DocumentData, folder: Path) -> float:
    """Peak of Python allocations in one run, in a run of its own (tracing slows it)."""
    tracemalloc.start()
    _once(data, folder)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        full = _data(folder)
        baseline = replace(full, attachments={})
        _once(baseline, folder)  # warm-up: the static font instances made once per machine
        results = {}
        for label, data in (
            ("baseline (no attachments)", baseline),
            ("16 items, 50 ingredients, 10x5 attached pages", full),
        ):
            runs = [_once(data, folder) for _ in range(args.repeat)]
            wall = statistics.median(r[0] for r in runs)
            results[label] = wall
            peak = _python_peak(data, folder)
            print(f"{label}: {runs[0][1]} pages, median {wall:.2f} s, Python peak "
                  f"{peak:.0f} MB, process max RSS {_rss_mb():.0f} MB")  # fmt: skip
        base, subject = results.values()
        print(f"ratio full/baseline wall time: {subject / base:.2f}")


if __name__ == "__main__":
    main()
