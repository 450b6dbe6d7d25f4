"""Formula files to raw rows end to end: the generated corpus in every format, and what
no file may do (crash, or pass as a formula when it is none)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.fixtures.formula_corpus import (
    CorpusFile,
    Line,
    big_formula,
    build_corpus,
    build_dictionary,
    write_csv_big5,
    write_csv_semicolon,
    write_csv_utf16,
    write_docx,
    write_label,
    write_pdf_table,
    write_pdf_text,
    write_xlsx_merged,
    write_xlsx_phases,
)
from pifai.ai.document_parser import (
    MAX_ROWS,
    FormulaParseError,
    parse_formula,
)
from pifai.ai.ingredient_validator import IngredientDictionary, validate_formula
from pifai.core.errors import AppError

WRITERS: dict[str, Callable[[Sequence[Line]], bytes]] = {
    "xlsx": write_xlsx_merged,
    "xlsx phases": write_xlsx_phases,
    "docx": write_docx,
    "pdf table": write_pdf_table,
    "pdf text": write_pdf_text,
    "big5": write_csv_big5,
    "utf16": write_csv_utf16,
    "semicolon": write_csv_semicolon,
    "label": lambda lines: write_label(lines, False),
}


@pytest.fixture(scope="module")
def corpus() -> list[CorpusFile]:
    return build_corpus()


@pytest.fixture(scope="module")
def dictionary() -> IngredientDictionary:
    return build_dictionary()


def _score(file: CorpusFile, dictionary: IngredientDictionary) -> tuple[int, int, list[str]]:
    """Rows of `file` that come out with the right INCI and concentration."""
    result = validate_formula(parse_formula(file.data, file.name).rows, dictionary)
    got = {row.inci: row.concentration for row in result.rows}
    good, misses = 0, []
    for inci, expected in file.expected().items():
        actual = got.get(inci, "missing")
        if actual == "missing" or (expected is None) != (actual is None):
            misses.append(f"{file.name}: {inci} expected {expected}, got {actual}")
        elif expected is not None and actual is not None and abs(float(actual) - expected) > 1e-6:
            misses.append(f"{file.name}: {inci} expected {expected}, got {actual}")
        else:
            good += 1
    return good, len(file.expected()), misses


def test_corpus_accuracy_is_at_least_98_percent(
    corpus: list[CorpusFile], dictionary: IngredientDictionary
) -> None:
    good = total = 0
    misses: list[str] = []
    for file in corpus:
        g, t, m = _score(file, dictionary)
        good, total, misses = good + g, total + t, misses + m
    assert total >= 200
    assert good / total >= 0.98, misses


CORPUS_SIZE = 14


def test_corpus_size(corpus: list[CorpusFile]) -> None:
    assert len(corpus) == CORPUS_SIZE


@pytest.mark.parametrize("index", range(CORPUS_SIZE))
def test_each_corpus_file_parses_and_adds_up(
    index: int, corpus: list[CorpusFile], dictionary: IngredientDictionary
) -> None:
    file = corpus[index]
    parsed = parse_formula(file.data, file.name)
    result = validate_formula(parsed.rows, dictionary)
    good, total, misses = _score(file, dictionary)
    assert good == total, misses
    assert {r.inci for r in result.rows} <= set(file.expected())  # no stray rows
    if not file.label_list:
        assert result.total is not None and abs(result.total - 100.0) <= 2.0
        values = [r.concentration or 0.0 for r in result.rows]
        assert values == sorted(values, reverse=True)
    assert result.confidence >= 0.9


def test_corpus_covers_every_format(corpus: list[CorpusFile]) -> None:
    formats = {parse_formula(f.data).format for f in corpus}
    assert formats == {"xlsx", "docx", "pdf", "csv", "text"}
    encodings = {parse_formula(f.data).encoding for f in corpus}
    assert {"cp950", "utf-16", "utf-8-sig", "utf-8"} <= encodings


@pytest.mark.parametrize("writer", list(WRITERS))
def test_sixty_row_formula_in_every_format(writer: str, dictionary: IngredientDictionary) -> None:
    lines = big_formula(60)
    file = CorpusFile(writer, WRITERS[writer](lines), lines, label_list=writer == "label")
    good, total, misses = _score(file, dictionary)
    assert total == 60 and good == total, misses


def test_pdf_table_continued_without_heading(dictionary: IngredientDictionary) -> None:
    lines = big_formula(60)
    data = write_pdf_table(lines, repeat_headings=False)
    parsed = parse_formula(data)
    assert len({r.page for r in parsed.rows}) >= 2
    good, total, misses = _score(CorpusFile("continued.pdf", data, lines), dictionary)
    assert good == total == 60, misses


def test_parse_error_is_an_app_error_with_status_422() -> None:
    assert issubclass(FormulaParseError, AppError)
    assert FormulaParseError.status_code == 422


@pytest.mark.parametrize("data", [b"", b"   \r\n\t  ", b"\x00" * 10])
def test_empty_file_fails_clearly(data: bytes) -> None:
    with pytest.raises(FormulaParseError):
        parse_formula(data)


def test_prose_without_header_or_list_fails_clearly() -> None:
    text = "Dear customer, the formula will follow by post next week. Regards"
    with pytest.raises(FormulaParseError, match="No ingredient rows"):
        parse_formula(text.encode())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2048))
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    try:
        parsed = parse_formula(data)
    except FormulaParseError:
        return
    assert len(parsed.rows) <= MAX_ROWS
