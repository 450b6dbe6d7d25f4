"""The shared reader of the EU CosIng CSV exports."""

from __future__ import annotations

from pifai.services.cosing_export import decode_export, read_export


def test_decoding_is_utf8_else_cp1252() -> None:
    assert decode_export("\ufeffCI 77891 ·".encode()) == "CI 77891 ·"
    assert decode_export("Benzyl alcohol ·".encode("cp1252")) == "Benzyl alcohol ·"
    assert decode_export(b"\x81") == "\x81"  # neither: read byte for byte


def test_the_header_is_found_below_the_preamble_with_its_delimiter() -> None:
    text = 'Database export\r\nLast update: 25/11/2026\r\n\r\nRef;Name\r\n1;"two\r\nlines"\r\n'
    table = read_export(text, lambda line: line.startswith("Ref"), delimiters=",;")
    assert table is not None
    assert table.preamble == [["Database export"], ["Last update: 25/11/2026"], []]
    assert (table.header, table.header_line, table.line_count) == (["Ref", "Name"], 4, 6)
    assert list(table.rows) == [["1", "two\r\nlines"]]


def test_no_header_within_the_lines_scanned() -> None:
    text = "a\nb\nRef,Name\n"
    assert read_export(text, lambda line: line.startswith("Ref"), scan_lines=2) is None
    assert read_export(text, lambda line: line.startswith("Ref")) is not None
