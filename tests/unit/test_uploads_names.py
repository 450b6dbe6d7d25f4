"""Upload names: safe on any filesystem, and what a user is shown."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pifai.services.pif.uploads import display_name, safe_storage_name


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\Windows\\System32\\cmd.exe", "cmd.exe"),
        ("/abs/path/報告.pdf", "報告.pdf"),
        ("a\x00b\r\nc\x7f.pdf", "abc.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),  # RTL override removed
        ("配方表 v2.xlsx", "配方表 v2.xlsx"),
        ("e\u0301tude.pdf", "\u00e9tude.pdf"),  # NFC
        ('a<b>:c"d|e?f*g.pdf', "a_b__c_d_e_f_g.pdf"),
        ("CON", "_CON"),
        ("nul.txt", "_nul.txt"),
        ("Lpt1.csv", "_Lpt1.csv"),
        ("..", "file"),
        ("...", "file"),
        ("", "file"),
        ("   ", "file"),
        (".bashrc", "bashrc"),
        ("report. ", "report"),
        ("a\u3000b\tc.pdf", "a b c.pdf"),  # ideographic space and tab become spaces
    ],
)
def test_safe_storage_name(original: str, expected: str) -> None:
    assert safe_storage_name(original) == expected


def test_long_names_keep_their_extension() -> None:
    name = safe_storage_name("成" * 200 + ".xlsx")
    assert name.endswith(".xlsx")
    assert len(name.encode()) <= 255
    assert name.startswith("成")


@settings(max_examples=300)
@given(st.text())
@example(".\t0")  # a dot, then a tab that becomes a space: no leading space is left
def test_safe_storage_name_properties(original: str) -> None:
    name = safe_storage_name(original)
    assert name
    assert name not in (".", "..")
    assert not any(c in name for c in '/\\<>:"|?*')
    assert not any(unicodedata.category(c) in ("Cc", "Cf", "Cs") for c in name)
    assert len(name.encode()) <= 255
    assert not name.startswith(".") and not name.endswith((".", " "))
    assert unicodedata.is_normalized("NFC", name)
    assert safe_storage_name(name) == name


def test_display_name_keeps_what_storage_names_cannot() -> None:
    assert display_name('../x/Q&A: "final"?.pdf') == 'Q&A: "final"?.pdf'
    assert display_name("配方\r\n表.xlsx") == "配方表.xlsx"
