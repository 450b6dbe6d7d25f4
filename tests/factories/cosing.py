"""Files in the layout of the European Commission's CosIng inventory export: a preamble,
the official columns, CRLF lines. Shared by the ingredient tests and bench/ingredients."""

from __future__ import annotations

import csv
import io
import random

from pifai.ai.ingredient_validator import cas_check_digit

COSING_HEADER = [
    "COSING Ref No", "INCI name", "INN name", "Ph. Eur. Name", "CAS No", "EC No",
    "Chem/IUPAC Name / Description", "Restriction", "Function", "Update Date",
]  # fmt: skip
PREAMBLE = [
    ["Cosmetic ingredient database - Ingredients"],
    ["Last update of the database: 25/11/2026"],
    [],
]


def cosing_file(rows: list[list[str]], delimiter: str = ",", preamble: bool = True) -> bytes:
    """``rows`` under the export's preamble and header."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    if preamble:
        writer.writerows(PREAMBLE)
    writer.writerow(COSING_HEADER)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


STEMS = [
    "CETYL", "STEARYL", "GLYCERYL", "PEG", "PPG", "SODIUM", "POTASSIUM", "HYDROLYZED",
    "CAPRYLIC", "LAURYL", "MYRISTYL", "BEHENYL", "OLEYL", "DIMETHICONE", "ACRYLATES",
    "POLYGLYCERYL", "ISOSTEARYL", "DECYL", "COCO", "HYDROXYETHYL",
]  # fmt: skip
TAILS = ["ESTER", "GLUCOSIDE", "SULFATE", "PHOSPHATE", "CROSSPOLYMER", "STEARATE",
         "OLEATE", "CITRATE", "LACTATE", "EXTRACT", "OIL", "ALCOHOL", "ETHER", "AMIDE"]  # fmt: skip
FUNCTIONS = [
    "EMOLLIENT", "SKIN CONDITIONING", "SKIN CONDITIONING - EMOLLIENT", "HUMECTANT",
    "SURFACTANT - CLEANSING", "EMULSIFYING", "VISCOSITY CONTROLLING", "PERFUMING",
]  # fmt: skip
# Real names at the end, so merging with curated rows is part of every import.
CURATED_TAIL = (("GLYCERIN", "56-81-5"), ("WATER", "7732-18-5"), ("CETYL ALCOHOL", ""))


def _cas(rng: random.Random, valid: bool = True) -> str:
    body = f"{rng.randint(50, 9_999_999)}{rng.randint(0, 99):02d}"
    digit = cas_check_digit(body)
    if not valid:
        digit = (digit + 1) % 10
    return f"{body[:-2]}-{body[-2:]}-{digit}"


def generate_cosing(rows: int, seed: int = 7) -> bytes:
    """A full-size export: ``rows`` invented ingredients with one or two CAS numbers each
    (~1 % failing their check digit), then :data:`CURATED_TAIL`."""
    rng = random.Random(seed)
    lines = []
    for index in range(rows):
        name = f"{rng.choice(STEMS)}-{index} {rng.choice(STEMS)} {rng.choice(TAILS)}"
        cas = [_cas(rng, valid=rng.random() > 0.01) for _ in range(rng.choice((1, 1, 1, 2)))]
        ec = f"{rng.randint(200, 500)}-{rng.randint(0, 999):03d}-{rng.randint(0, 9)}"
        functions = ", ".join(rng.sample(FUNCTIONS, rng.randint(1, 3)))
        updated = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(2009, 2024)}"
        description = f"{name.lower()} (test)"
        lines.append(
            [str(50000 + index), name, "", "", " / ".join(cas), ec, description, "", functions,
             updated]
        )  # fmt: skip
    for inci, cas_no in CURATED_TAIL:
        lines.append(["1", inci, "", "", cas_no, "", "", "", "SOLVENT", "01/01/2020"])
    return cosing_file(lines)
