"""A corpus of messy formula files, generated here, each with its expected rows.

Only real ingredients: INCI names with their real CAS numbers (all pass the check digit,
asserted at import) and the Traditional Chinese names used on Taiwan labels.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import docx
import openpyxl
from docx.shared import Pt
from fpdf import FPDF
from fpdf.enums import TableHeadingsDisplay
from openpyxl.styles import Font

from pifai.ai.ingredient_validator import DictionaryEntry, IngredientDictionary, is_valid_cas


@dataclass(frozen=True)
class Ingredient:
    inci: str
    cas: str | None
    zh: str | None
    function: str


# fmt: off
INGREDIENTS: tuple[Ingredient, ...] = (
    Ingredient("Water", "7732-18-5", "水", "Solvent"),
    Ingredient("Glycerin", "56-81-5", "甘油", "Humectant"),
    Ingredient("Butylene Glycol", "107-88-0", "丁二醇", "Humectant"),
    Ingredient("Propylene Glycol", "57-55-6", "丙二醇", "Humectant"),
    Ingredient("Niacinamide", "98-92-0", "菸鹼醯胺", "Skin conditioning"),
    Ingredient("Phenoxyethanol", "122-99-6", "苯氧乙醇", "Preservative"),
    Ingredient("Ethylhexylglycerin", "70445-33-9", "乙基己基甘油", "Skin conditioning"),
    Ingredient("1,2-Hexanediol", "6920-22-5", "1,2-己二醇", "Solvent"),
    Ingredient("Sodium Hyaluronate", "9067-32-7", "玻尿酸鈉", "Humectant"),
    Ingredient("Allantoin", "97-59-6", "尿囊素", "Skin protecting"),
    Ingredient("Panthenol", "81-13-0", "泛醇", "Hair conditioning"),
    Ingredient("Xanthan Gum", "11138-66-2", "三仙膠", "Viscosity controlling"),
    Ingredient("Tocopherol", "59-02-9", "生育醇", "Antioxidant"),
    Ingredient("Tocopheryl Acetate", "7695-91-2", "生育醇乙酸酯", "Antioxidant"),
    Ingredient("Disodium EDTA", "139-33-3", "乙二胺四乙酸二鈉", "Chelating"),
    Ingredient("Citric Acid", "77-92-9", "檸檬酸", "Buffering"),
    Ingredient("Sodium Hydroxide", "1310-73-2", "氫氧化鈉", "Buffering"),
    Ingredient("Triethanolamine", "102-71-6", "三乙醇胺", "Buffering"),
    Ingredient("Cetearyl Alcohol", "67762-27-0", "鯨蠟硬脂醇", "Emulsion stabilising"),
    Ingredient("Cetyl Alcohol", "36653-82-4", "鯨蠟醇", "Emollient"),
    Ingredient("Stearyl Alcohol", "112-92-5", "硬脂醇", "Emollient"),
    Ingredient("Stearic Acid", "57-11-4", "硬脂酸", "Cleansing"),
    Ingredient("Glyceryl Stearate", "31566-31-1", "甘油硬脂酸酯", "Emollient"),
    Ingredient("Caprylic/Capric Triglyceride", "65381-09-1", "辛酸/癸酸三酸甘油酯", "Emollient"),
    Ingredient("Isopropyl Myristate", "110-27-0", "肉豆蔻酸異丙酯", "Emollient"),
    Ingredient("Dimethicone", "63148-62-9", "聚二甲基矽氧烷", "Emollient"),
    Ingredient("Squalane", "111-01-3", "角鯊烷", "Emollient"),
    Ingredient("Cyclopentasiloxane", "541-02-6", "環五聚二甲基矽氧烷", "Emollient"),
    Ingredient("Sodium Benzoate", "532-32-1", "苯甲酸鈉", "Preservative"),
    Ingredient("Potassium Sorbate", "24634-61-5", "山梨酸鉀", "Preservative"),
    Ingredient("Methylparaben", "99-76-3", "羥苯甲酯", "Preservative"),
    Ingredient("Propylparaben", "94-13-3", "羥苯丙酯", "Preservative"),
    Ingredient("Salicylic Acid", "69-72-7", "水楊酸", "Skin conditioning"),
    Ingredient("Ascorbic Acid", "50-81-7", "抗壞血酸", "Antioxidant"),
    Ingredient("Urea", "57-13-6", "尿素", "Humectant"),
    Ingredient("Sodium Chloride", "7647-14-5", "氯化鈉", "Viscosity controlling"),
    Ingredient("Sodium Lauryl Sulfate", "151-21-3", "月桂基硫酸鈉", "Cleansing"),
    Ingredient("Sodium Laureth Sulfate", "9004-82-4", "月桂醇聚醚硫酸酯鈉", "Cleansing"),
    Ingredient("Cocamidopropyl Betaine", "61789-40-0", "椰油醯胺丙基甜菜鹼", "Cleansing"),
    Ingredient("Titanium Dioxide", "13463-67-7", "二氧化鈦", "UV filter"),
    Ingredient("Zinc Oxide", "1314-13-2", "氧化鋅", "UV filter"),
    Ingredient("Ethylhexyl Methoxycinnamate", "5466-77-3", None, "UV filter"),
    Ingredient("Butyl Methoxydibenzoylmethane", "70356-09-1", None, "UV filter"),
    Ingredient("Octocrylene", "6197-30-4", None, "UV filter"),
    Ingredient("Benzyl Alcohol", "100-51-6", "苯甲醇", "Preservative"),
    Ingredient("Limonene", "5989-27-5", "檸檬烯", "Perfuming"),
    Ingredient("Linalool", "78-70-6", "沉香醇", "Perfuming"),
    Ingredient("Citronellol", "106-22-9", "香茅醇", "Perfuming"),
    Ingredient("Geraniol", "106-24-1", "香葉醇", "Perfuming"),
    Ingredient("Alcohol", "64-17-5", "乙醇", "Solvent"),
    Ingredient("Menthol", "89-78-1", "薄荷醇", "Refreshing"),
    Ingredient("Caffeine", "58-08-2", "咖啡因", "Skin conditioning"),
    Ingredient("Adenosine", "58-61-7", "腺苷", "Skin conditioning"),
    Ingredient("Arbutin", "497-76-7", "熊果素", "Skin conditioning"),
    Ingredient("Retinol", "68-26-8", "視黃醇", "Skin conditioning"),
    Ingredient("Lactic Acid", "50-21-5", "乳酸", "Buffering"),
    Ingredient("Glycolic Acid", "79-14-1", "甘醇酸", "Buffering"),
    Ingredient("Betaine", "107-43-7", "甜菜鹼", "Humectant"),
    Ingredient("Trehalose", "99-20-7", "海藻糖", "Humectant"),
    Ingredient("Polysorbate 20", "9005-64-5", "聚山梨醇酯20", "Emulsifying"),
    Ingredient("Polysorbate 80", "9005-65-6", "聚山梨醇酯80", "Emulsifying"),
    Ingredient("PEG-40 Hydrogenated Castor Oil", "61788-85-0", None, "Emulsifying"),
    Ingredient("Sorbitol", "50-70-4", "山梨醇", "Humectant"),
    Ingredient("Chlorphenesin", "104-29-0", "氯苯甘醚", "Preservative"),
    Ingredient("Caprylyl Glycol", "1117-86-8", "辛甘醇", "Skin conditioning"),
    Ingredient("Pentylene Glycol", "5343-92-0", "戊二醇", "Skin conditioning"),
    Ingredient("Dipropylene Glycol", "25265-71-8", "二丙二醇", "Solvent"),
    Ingredient("Isononyl Isononanoate", "42131-25-9", None, "Emollient"),
    Ingredient("Ethylhexyl Palmitate", "29806-73-3", None, "Emollient"),
    Ingredient("Hydroxyethylcellulose", "9004-62-0", "羥乙基纖維素", "Viscosity controlling"),
    Ingredient("Sodium Citrate", "68-04-2", "檸檬酸鈉", "Buffering"),
    Ingredient("Tromethamine", "77-86-1", None, "Buffering"),
    Ingredient("Dipotassium Glycyrrhizate", "68797-35-3", "甘草酸二鉀", "Skin conditioning"),
    Ingredient("Bisabolol", "23089-26-1", "紅沒藥醇", "Soothing"),
    Ingredient("Sodium PCA", "28874-51-3", "吡咯烷酮羧酸鈉", "Humectant"),
    Ingredient("Simmondsia Chinensis Seed Oil", "61789-91-1", "荷荷芭籽油", "Emollient"),
    Ingredient("Mineral Oil", "8042-47-5", "礦物油", "Emollient"),
    Ingredient("Petrolatum", "8009-03-8", "凡士林", "Emollient"),
    Ingredient("Lanolin", "8006-54-0", "羊毛脂", "Emollient"),
    Ingredient("Kaolin", "1332-58-7", "高嶺土", "Absorbent"),
    Ingredient("Talc", "14807-96-6", "滑石粉", "Absorbent"),
    Ingredient("Mica", "12001-26-2", "雲母", "Opacifying"),
    Ingredient("Silica", "7631-86-9", "二氧化矽", "Absorbent"),
    Ingredient("Magnesium Sulfate", "7487-88-9", "硫酸鎂", "Viscosity controlling"),
    Ingredient("Cetrimonium Chloride", "112-02-7", None, "Antistatic"),
    Ingredient("Behentrimonium Chloride", "17301-53-0", None, "Antistatic"),
    Ingredient("Sodium Cocoyl Isethionate", "61789-32-0", None, "Cleansing"),
    Ingredient("Decyl Glucoside", "68515-73-1", "癸基葡糖苷", "Cleansing"),
    Ingredient("Glyceryl Caprylate", "26402-26-6", None, "Emollient"),
    Ingredient("Sodium Lactate", "72-17-3", "乳酸鈉", "Humectant"),
    Ingredient("Ceramide NP", "100403-19-8", "神經醯胺NP", "Skin conditioning"),
    Ingredient("Madecassoside", "34540-22-2", "羥基積雪草苷", "Skin conditioning"),
    Ingredient("Centella Asiatica Extract", "84696-21-9", "積雪草萃取", "Skin conditioning"),
    Ingredient("Camellia Sinensis Leaf Extract", "84650-60-2", "茶葉萃取", "Antioxidant"),
    Ingredient("Aloe Barbadensis Leaf Juice", "85507-69-3", "蘆薈葉汁", "Skin conditioning"),
    Ingredient("Tranexamic Acid", "1197-18-8", "傳明酸", "Skin conditioning"),
    Ingredient("Ascorbyl Glucoside", "129499-78-1", "抗壞血酸葡糖苷", "Antioxidant"),
    Ingredient("Hydroxyacetophenone", "99-93-4", "羥苯乙酮", "Antioxidant"),
    Ingredient("Sodium Polyacrylate", "9003-04-7", "聚丙烯酸鈉", "Viscosity controlling"),
    Ingredient("Butyrospermum Parkii Butter", "194043-92-0", "乳油木果脂", "Emollient"),
    Ingredient("Fragrance", None, "香料", "Perfuming"),
)
# fmt: on

BY_INCI = {i.inci: i for i in INGREDIENTS}
assert all(is_valid_cas(i.cas) for i in INGREDIENTS if i.cas), "a corpus CAS fails its check"

SYNONYMS: dict[str, tuple[str, ...]] = {
    "Water": ("Aqua", "Eau"),
    "Fragrance": ("Parfum",),
    "Mineral Oil": ("Paraffinum Liquidum",),
    "Simmondsia Chinensis Seed Oil": ("Jojoba Oil",),
    "Butyrospermum Parkii Butter": ("Shea Butter",),
}


def build_dictionary() -> IngredientDictionary:
    return IngredientDictionary(
        DictionaryEntry(
            inci=i.inci,
            cas=(i.cas,) if i.cas else (),
            synonyms=SYNONYMS.get(i.inci, ()),
            zh_names=(i.zh,) if i.zh else (),
            functions=(i.function,),
        )
        for i in INGREDIENTS
    )


# --- formulas -------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One row as written (name, concentration text) and what it must come out as."""

    ingredient: Ingredient
    written_name: str
    written_conc: str | float | None
    expected: float | None  # None: the balance, computed by `CorpusFile.expected`
    cas: str | None = None


@dataclass(frozen=True)
class CorpusFile:
    name: str
    data: bytes
    lines: tuple[Line, ...]
    label_list: bool = False

    def expected(self) -> dict[str, float | None]:
        """INCI -> concentration, duplicates added, balance = 100 - rest."""
        out: dict[str, float | None] = {}
        for line in self.lines:
            if self.label_list:
                out[line.ingredient.inci] = None
            elif line.expected is not None:
                prev = out.get(line.ingredient.inci) or 0.0
                out[line.ingredient.inci] = round(prev + line.expected, 10)
        if not self.label_list:
            fixed = sum(v or 0.0 for v in out.values())
            for line in self.lines:
                if line.expected is None:
                    out[line.ingredient.inci] = round(100.0 - fixed, 6)
        return out


def L(  # a short constructor keeps the tables below readable
    inci: str,
    conc: str | float | None,
    expected: float | None,
    name: str | None = None,
    cas: bool = True,
) -> Line:
    ing = BY_INCI[inci]
    return Line(ing, name or inci, conc, expected, ing.cas if cas else None)


def cream_lines() -> tuple[Line, ...]:
    return (
        L("Water", "q.s. to 100", None, "Aqua (Water)"),
        L("Glycerin", 5, 5.0),
        L("Butylene Glycol", "3.00", 3.0, "BUTYLENE GLYCOL"),
        L("Caprylic/Capric Triglyceride", "6", 6.0, "Caprylic / Capric Triglyceride"),
        L("Cetearyl Alcohol", "2,5", 2.5),
        L("Glyceryl Stearate", "1.5%", 1.5),
        L("Squalane", "2-3", 3.0),
        L("Dimethicone", "1.0", 1.0),
        L("Niacinamide", "4", 4.0, "niacinamide"),
        L("Sodium Hyaluronate", "500 ppm", 0.05),
        L("Xanthan Gum", "0.1~0.3", 0.3),
        L("Phenoxyethanol", "0.8", 0.8, "Phenoxyethanol*"),
        L("Ethylhexylglycerin", "<0.1", 0.1),
        L("Disodium EDTA", "0.05", 0.05),
        L("Tocopheryl Acetate", "5‰", 0.5, "Tocopheryl acetate"),
        L("Fragrance", "0.2", 0.2, "Parfum (Fragrance)"),
    )


def toner_lines() -> tuple[Line, ...]:
    return (
        L("Water", "ad 100", None, "Aqua"),
        L("Glycerin", "3", 3.0, "Glycerin 甘油"),
        L("Butylene Glycol", "5", 5.0),
        L("1,2-Hexanediol", "2", 2.0, "1,2 Hexanediol"),
        L("Panthenol", "0.5", 0.5, "D-Panthenol"),
        L("Allantoin", "0.2", 0.2),
        L("Betaine", "2", 2.0),
        L("Sodium PCA", "1", 1.0),
        L("Trehalose", "1", 1.0),
        L("Dipotassium Glycyrrhizate", "0.1", 0.1),
        L("Centella Asiatica Extract", "0.5", 0.5),
        L("Citric Acid", "0.02", 0.02),
        L("Sodium Citrate", "0.08", 0.08),
        L("Phenoxyethanol", "0.5", 0.5, "Phenoxyethnol"),
        L("PEG-40 Hydrogenated Castor Oil", "0.3", 0.3, "PEG 40 Hydrogenated Castor Oil"),
    )


def zh_lines() -> tuple[Line, ...]:
    """Rows whose only name is Chinese (INCI column left empty) mixed with INCI rows."""
    return (
        L("Water", "適量", None, "水"),
        L("Glycerin", "6", 6.0, "甘油"),
        L("Propylene Glycol", "3", 3.0, "丙二醇"),
        L("Niacinamide", "5", 5.0, "菸鹼醯胺"),
        L("Tranexamic Acid", "2", 2.0, "傳明酸"),
        L("Arbutin", "2", 2.0, "熊果素"),
        L("Allantoin", "0.1", 0.1, "尿囊素"),
        L("Hydroxyethylcellulose", "0.5", 0.5, "羥乙基纖維素"),
        L("Phenoxyethanol", "0.9", 0.9, "苯氧乙醇"),
        L("Chlorphenesin", "0.2", 0.2, "氯苯甘醚"),
        L("Disodium EDTA", "0.1", 0.1, "乙二胺四乙酸二鈉"),
        L("Fragrance", "0.05", 0.05, "香料"),
    )


def shampoo_lines() -> tuple[Line, ...]:
    return (
        L("Water", "to 100%", None, "Water/Aqua"),
        L("Sodium Laureth Sulfate", "12,0", 12.0),
        L("Cocamidopropyl Betaine", "5,0", 5.0),
        L("Decyl Glucoside", "2,0", 2.0),
        L("Sodium Chloride", "1,2", 1.2),
        L("Glycerin", "2", 2.0),
        L("Panthenol", "0,5", 0.5),
        L("Citric Acid", "0,1-0,3", 0.3),
        L("Sodium Benzoate", "0,5", 0.5),
        L("Potassium Sorbate", "0,3", 0.3),
        L("Menthol", "800 ppm", 0.08),
        L("Limonene", "<0,01", 0.01),
        L("Linalool", "<0,01", 0.01),
        L("Fragrance", "0,5", 0.5, "Parfum"),
    )


def sunscreen_lines() -> tuple[Line, ...]:
    return (
        L("Water", "Balance", None),
        L("Ethylhexyl Methoxycinnamate", "7.5", 7.5),
        L("Butyl Methoxydibenzoylmethane", "3.0", 3.0),
        L("Octocrylene", "8.0", 8.0),
        L("Titanium Dioxide", "5.0", 5.0),
        L("Zinc Oxide", "3.0", 3.0),
        L("Cyclopentasiloxane", "10.0", 10.0),
        L("Dimethicone", "3.0", 3.0),
        L("Isononyl Isononanoate", "4.0", 4.0),
        L("Ethylhexyl Palmitate", "3.0", 3.0),
        L("Butylene Glycol", "5.0", 5.0),
        L("Silica", "1.0", 1.0),
        L("Sodium Chloride", "0.8", 0.8),
        L("Tocopherol", "0.1", 0.1),
        L("Phenoxyethanol", "0.8", 0.8),
        L("Caprylyl Glycol", "0.3", 0.3),
        L("Polysorbate 80", "0.5", 0.5),
        L("Magnesium Sulfate", "0.5", 0.5),
        L("Bisabolol", "0.1", 0.1),
        L("Adenosine", "0.04", 0.04),
        L("Caffeine", "0.2", 0.2),
        L("Sodium Polyacrylate", "0.5", 0.5),
        L("Allantoin", "0.1", 0.1),
        L("Disodium EDTA", "0.05", 0.05),
        L("Hydroxyacetophenone", "0.5", 0.5),
        L("Kaolin", "1.0", 1.0),
        L("Talc", "1.0", 1.0),
        L("Mica", "0.5", 0.5),
        L("Lactic Acid", "0.05", 0.05),
        L("Sodium Lactate", "0.1", 0.1),
        L("Fragrance", "0.1", 0.1),
    )


def big_formula(n: int) -> tuple[Line, ...]:
    """`n` rows: Water as balance and n-1 other real ingredients at small shares."""
    others = [i for i in INGREDIENTS if i.inci != "Water"]
    assert n - 1 <= len(others)
    lines = [L("Water", "q.s.", None)]
    for k, ing in enumerate(others[: n - 1]):
        value = round(0.05 + (k % 10) * 0.1, 2)
        lines.append(L(ing.inci, f"{value:.2f}", value))
    return tuple(lines)


# --- writers --------------------------------------------------------------------------


def _conc_text(value: str | float | None) -> str:
    return "" if value is None else (value if isinstance(value, str) else f"{value:g}")


def write_xlsx_merged(lines: Sequence[Line]) -> bytes:
    """Title merged over the width, header on row 3, function cells merged down, totals."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "配方 Formula"
    ws["A1"] = "Hydrating Cream HC-01 配方表"
    ws["A1"].font = Font(bold=True, size=14)
    ws.merge_cells("A1:F1")
    ws["A2"] = "Version 3, 2026-05-01"
    ws.merge_cells("A2:C2")
    ws.append(["No.", "INCI Name", "中文名稱", "CAS No.", "含量 (%)", "功能 Function"])
    start = 4
    for k, line in enumerate(lines):
        r = start + k
        ws.cell(r, 1, k + 1)
        ws.cell(r, 2, line.written_name)
        ws.cell(r, 3, line.ingredient.zh or "")
        ws.cell(r, 4, line.cas or "")
        conc = line.written_conc
        if isinstance(conc, str) and conc.endswith("%") and conc[:-1].replace(".", "").isdigit():
            # Stored as a fraction with a percentage format, as Excel does.
            c = ws.cell(r, 5, float(conc[:-1]) / 100)
            c.number_format = "0.00%"
        elif isinstance(conc, str) and conc.replace(".", "").isdigit():
            ws.cell(r, 5, float(conc))
        else:
            ws.cell(r, 5, conc)
        ws.cell(r, 6, line.ingredient.function)
    # Two preservatives share one merged function cell.
    rows = {line.ingredient.inci: start + k for k, line in enumerate(lines)}
    if "Phenoxyethanol" in rows and "Ethylhexylglycerin" in rows:
        p, e = rows["Phenoxyethanol"], rows["Ethylhexylglycerin"]
        if e == p + 1:
            ws.cell(p, 6, "Preservative system")
            ws.merge_cells(start_row=p, start_column=6, end_row=e, end_column=6)
    end = start + len(lines)
    ws.cell(end, 2, "Total")
    ws.cell(end, 5, 100)
    notes = wb.create_sheet("Notes")
    notes["A1"] = "Supplier documents on file; see SDS folder."
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def write_xlsx_phases(lines: Sequence[Line]) -> bytes:
    """One sheet per phase, header on row 2 under a merged title, % column first."""
    wb = openpyxl.Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)
    for p, start in enumerate(range(0, len(lines), 6)):
        phase = f"Phase {chr(ord('A') + p)}"
        ws = wb.create_sheet(phase)
        ws["A1"] = phase
        ws.merge_cells("A1:D1")
        ws.append(["% w/w", "Ingredient (INCI)", "Function", "CAS"])
        for line in lines[start : start + 6]:
            ws.append(
                [
                    _conc_text(line.written_conc),
                    line.written_name,
                    line.ingredient.function,
                    line.cas,
                ]
            )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def write_docx(lines: Sequence[Line]) -> bytes:
    document = docx.Document()
    document.add_heading("產品配方 Product Formula", level=1)
    document.add_paragraph("Product: Soothing Toner ST-02. Confidential.")
    table = document.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells,
        ["序號", "成分名稱 (INCI)", "CAS No.", "濃度 % w/w", "用途"],
        strict=True,
    ):
        cell.text = text
    for k, line in enumerate(lines, start=1):
        cells = table.add_row().cells
        values = [str(k), line.written_name, line.cas or "", _conc_text(line.written_conc)]
        for cell, text in zip(cells, [*values, line.ingredient.function], strict=True):
            cell.text = text
            for run in cell.paragraphs[0].runs:
                run.font.size = Pt(9)
    # Citric acid and sodium citrate share a vertically merged function cell.
    names = [line.ingredient.inci for line in lines]
    if "Citric Acid" in names and "Sodium Citrate" in names:
        a, b = names.index("Citric Acid") + 1, names.index("Sodium Citrate") + 1
        if b == a + 1:
            merged = table.cell(a, 4).merge(table.cell(b, 4))
            merged.text = "pH adjuster"
    document.add_paragraph("Prepared by: R&D")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def _no_cjk(text: str) -> str:
    return re.sub(r"[\u3400-\u9fff]+", "", text).strip()


def _pdf(size: float) -> tuple[FPDF, Callable[[str], str]]:
    """A PDF with a Unicode font when the machine has one; else Helvetica and Latin-1 text.

    Neither font has CJK glyphs, so PDF content stays in English/INCI.
    """
    pdf = FPDF()
    if DEJAVU.exists():
        pdf.add_font("DejaVu", "", str(DEJAVU))
        bold = DEJAVU.with_name("DejaVuSans-Bold.ttf")
        pdf.add_font("DejaVu", "B", str(bold if bold.exists() else DEJAVU))
        pdf.set_font("DejaVu", size=size)
        return pdf, _no_cjk
    pdf.set_font("Helvetica", size=size)
    return pdf, lambda text: _no_cjk(text).replace("‰", " per mille")


def write_pdf_table(lines: Sequence[Line], repeat_headings: bool = True) -> bytes:
    """A ruled table across pages, its heading repeated on each page or only on the first."""
    pdf, text = _pdf(9)
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.cell(0, 10, "Sunscreen SPF 30 - Formula", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 5, "Quantitative formula as manufactured. Percentages are w/w.")
    pdf.ln(2)
    with pdf.table(
        col_widths=(70, 30, 25, 45),
        line_height=9,
        repeat_headings=TableHeadingsDisplay(int(repeat_headings)),
    ) as table:
        table.row(["INCI Name", "CAS No.", "% w/w", "Function"])
        for line in lines:
            table.row(
                [
                    text(line.written_name),
                    line.cas or "",
                    text(_conc_text(line.written_conc)),
                    line.ingredient.function,
                ]
            )
    return bytes(pdf.output())


def write_pdf_text(lines: Sequence[Line]) -> bytes:
    """Columns aligned by position only, no ruling lines; numbers right-aligned."""
    pdf, text = _pdf(9)
    pdf.add_page()
    pdf.cell(0, 10, "Formula sheet", new_x="LMARGIN", new_y="NEXT")
    widths = (75, 25, 30, 50)
    header = ("Ingredient", "Conc. (%)", "CAS", "Function")
    for w, label in zip(widths, header, strict=True):
        pdf.cell(w, 7, label)
    pdf.ln(7)
    for line in lines:
        row = (text(line.written_name), text(_conc_text(line.written_conc)), line.cas or "")
        pdf.cell(widths[0], 6, row[0])
        pdf.cell(widths[1] - 8, 6, row[1], align="R")
        pdf.cell(8, 6, "")
        pdf.cell(widths[2], 6, row[2])
        pdf.cell(widths[3], 6, line.ingredient.function)
        pdf.ln(6)
    pdf.ln(25)
    pdf.multi_cell(0, 6, "Prepared by R&D, checked by QA. Confidential: do not distribute.")
    return bytes(pdf.output())


def _csv_text(header: Sequence[str], rows: Sequence[Sequence[str]], delimiter: str) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def _cp950_or_empty(text: str | None) -> str:
    # A few names (e.g. with 苷) are outside CP950; an ERP user could not have typed them.
    try:
        return text.encode("cp950").decode("cp950") if text else ""
    except UnicodeEncodeError:
        return ""


def write_csv_big5(lines: Sequence[Line]) -> bytes:
    """ERP export: CP950, Chinese headers, the INCI column empty where only Chinese is known."""
    rows = []
    for line in lines:
        chinese_only = line.written_name == line.ingredient.zh
        rows.append(
            [
                _cp950_or_empty(line.ingredient.zh),
                "" if chinese_only else line.written_name,
                line.cas or "",
                # CP950 has no per-mille sign: ERP exports write the plain value.
                f"{line.expected:g}"
                if "‰" in str(line.written_conc)
                else _conc_text(line.written_conc),
                line.ingredient.function,
            ]
        )
    preamble = "配方編號,F-2026-031\r\n品名,美白精華液\r\n\r\n"
    text = preamble + _csv_text(["成分名稱", "INCI名稱", "CAS號碼", "含量(%)", "功能"], rows, ",")
    return text.encode("cp950")


def write_csv_utf16(lines: Sequence[Line]) -> bytes:
    """Excel 'Unicode text': UTF-16 LE with BOM, tab separated."""
    rows = [
        [line.written_name, _conc_text(line.written_conc), line.cas or "", line.ingredient.function]
        for line in lines
    ]
    text = _csv_text(["Ingredient", "Percentage", "CAS Number", "Function"], rows, "\t")
    return text.encode("utf-16")


def write_csv_semicolon(lines: Sequence[Line]) -> bytes:
    """European export: UTF-8 with BOM, ';' separated, decimal commas."""
    rows = [[line.written_name, line.cas or "", _conc_text(line.written_conc)] for line in lines]
    return _csv_text(["INCI", "CAS", "Konz. % w/w"], rows, ";").encode("utf-8-sig")


def write_csv_duplicates(lines: Sequence[Line]) -> bytes:
    """UTF-8, preamble lines before the header, one ingredient listed twice (two phases)."""
    rows = [[line.written_name, _conc_text(line.written_conc)] for line in lines]
    text = "Formula No.: F-77\nProduct: Body Lotion\n\n" + _csv_text(
        ["Raw material (INCI)", "Concentration %"], rows, ","
    )
    return text.encode("utf-8")


def write_label(lines: Sequence[Line], chinese: bool) -> bytes:
    if chinese:
        return ("全成分：" + "、".join(line.written_name for line in lines) + "。").encode("utf-8")
    body = ", ".join(line.written_name for line in lines)
    return f"Ingredients: {body}.".encode()


def lotion_duplicate_lines() -> tuple[Line, ...]:
    return (
        L("Water", "q.s.", None),
        L("Glycerin", "3", 3.0),
        L("Mineral Oil", "5", 5.0, "Paraffinum Liquidum"),
        L("Petrolatum", "2", 2.0),
        L("Cetyl Alcohol", "2", 2.0),
        L("Stearic Acid", "2", 2.0),
        L("Triethanolamine", "0.5", 0.5),
        L("Glycerin", "2", 2.0, "Glycerine"),
        L("Simmondsia Chinensis Seed Oil", "1", 1.0, "Jojoba Oil"),
        L("Butyrospermum Parkii Butter", "1", 1.0, "Shea Butter"),
        L("Methylparaben", "0.2", 0.2),
        L("Propylparaben", "0.1", 0.1),
        L("Fragrance", "0.2", 0.2),
    )


def label_lines() -> tuple[Line, ...]:
    return tuple(
        L(i, None, None, name)
        for i, name in (
            ("Water", "Aqua"),
            ("Glycerin", "Glycerin"),
            ("Butylene Glycol", "Butylene Glycol"),
            ("1,2-Hexanediol", "1,2-Hexanediol"),
            ("Niacinamide", "Niacinamide"),
            ("Sodium Hyaluronate", "Sodium Hyaluronate"),
            ("Caprylic/Capric Triglyceride", "Caprylic/Capric Triglyceride"),
            ("Panthenol", "Panthenol"),
            ("Allantoin", "Allantoin"),
            ("Ethylhexylglycerin", "Ethylhexylglycerin"),
            ("Phenoxyethanol", "Phenoxyethanol"),
            ("Disodium EDTA", "Disodium EDTA"),
            ("Fragrance", "Parfum (Fragrance)"),
            ("Limonene", "Limonene"),
        )
    )


def label_zh_lines() -> tuple[Line, ...]:
    names = ("Water", "Glycerin", "Butylene Glycol", "Niacinamide", "Panthenol", "Allantoin",
             "Phenoxyethanol", "Trehalose", "Betaine", "Fragrance")  # fmt: skip
    return tuple(L(n, None, None, BY_INCI[n].zh) for n in names)


def build_corpus() -> list[CorpusFile]:
    made: list[tuple[str, Callable[[Sequence[Line]], bytes], tuple[Line, ...]]] = [
        ("cream_merged.xlsx", write_xlsx_merged, cream_lines()),
        ("toner_phases.xlsx", write_xlsx_phases, toner_lines()),
        ("toner.docx", write_docx, toner_lines()),
        ("cream.docx", write_docx, cream_lines()),
        ("sunscreen_table.pdf", write_pdf_table, sunscreen_lines()),
        ("cream_text.pdf", write_pdf_text, cream_lines()),
        ("toner_text.pdf", write_pdf_text, toner_lines()),
        ("serum_big5.csv", write_csv_big5, zh_lines()),
        ("cream_big5.csv", write_csv_big5, cream_lines()),
        ("sunscreen_utf16.txt", write_csv_utf16, sunscreen_lines()),
        ("shampoo_semicolon.csv", write_csv_semicolon, shampoo_lines()),
        ("lotion_duplicates.csv", write_csv_duplicates, lotion_duplicate_lines()),
    ]
    corpus = [CorpusFile(name, writer(lines), lines) for name, writer, lines in made]
    corpus.append(CorpusFile("label.txt", write_label(label_lines(), False), label_lines(), True))
    corpus.append(
        CorpusFile("label_zh.txt", write_label(label_zh_lines(), True), label_zh_lines(), True)
    )
    return corpus
