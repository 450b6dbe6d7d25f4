"""The EU CosIng CSV exports (the ingredient inventory and the annexes): decoding, the
header row below the preamble, the rows. Each importer maps the columns itself."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass


def decode_export(data: bytes) -> str:
    """UTF-8, else cp1252: the Commission's exports are Windows files (Western European
    code page, unlike the Taiwanese files, which are cp950)."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


@dataclass(slots=True)
class ExportTable:
    preamble: list[list[str]]  # the rows above the header (file date, annex, title...)
    header: list[str]
    rows: Iterator[list[str]]  # the rows below the header, read as they are consumed
    header_line: int  # 1-based
    line_count: int


def read_export(
    text: str,
    is_header: Callable[[str], bool],
    *,
    scan_lines: int | None = None,
    delimiters: str = ",",
) -> ExportTable | None:
    """The table of an export whose header is the first line ``is_header`` accepts
    (within ``scan_lines`` lines), or None. The delimiter is the one of ``delimiters``
    the header line holds most of. Cells keep the line breaks of the file."""
    lines = text.lstrip("\ufeff").splitlines(keepends=True)
    scanned = lines if scan_lines is None else lines[:scan_lines]
    for index, line in enumerate(scanned):
        if not is_header(line.rstrip("\r\n")):
            continue
        reader = csv.reader(lines[index:], delimiter=max(delimiters, key=line.count))
        return ExportTable(
            preamble=list(csv.reader(lines[:index])),
            header=next(reader),
            rows=reader,
            header_line=index + 1,
            line_count=len(lines),
        )
    return None
