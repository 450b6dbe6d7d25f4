"""Download headers: Content-Disposition that keeps Chinese names and refuses injection."""

from __future__ import annotations

from email.message import Message
from urllib.parse import unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pifai.api.downloads import content_disposition
from pifai.services.pif.uploads import display_name


def parse_filename(header: str) -> str | None:
    """The RFC 5987 name decoded by the stdlib's RFC 2231 parser (independent of our code).

    The stdlib returns the first ``filename`` parameter, so the ASCII fallback is removed;
    RFC 6266 clients prefer ``filename*`` anyway."""
    disposition, fallback, extended = header.split("; ")
    assert fallback.startswith('filename="')
    message = Message()
    message["Content-Disposition"] = f"{disposition}; {extended}"
    return message.get_filename()


def test_chinese_name_round_trips_in_content_disposition() -> None:
    header = content_disposition("產品配方表（機密）.xlsx")
    assert header.startswith("attachment; ")
    assert header.isascii()
    assert "filename*=UTF-8''" in header
    assert parse_filename(header) == "產品配方表（機密）.xlsx"
    fallback = header.split('filename="', 1)[1].split('"', 1)[0]
    assert fallback == "download.xlsx"


def test_content_disposition_ascii_fallback() -> None:
    header = content_disposition('Résumé "v2"; 配方.pdf')
    fallback = header.split('filename="', 1)[1].split('"; filename*', 1)[0]
    assert fallback == "Resume _v2.pdf"
    assert parse_filename(header) == 'Résumé "v2"; 配方.pdf'
    assert content_disposition("a.pdf", disposition="inline").startswith("inline; ")
    with pytest.raises(ValueError):
        content_disposition("a.pdf", disposition="attachment; evil=1")


def test_content_disposition_neutralises_injection() -> None:
    header = content_disposition('x.pdf"\r\nSet-Cookie: a=b')
    assert "\r" not in header and "\n" not in header
    assert header.count('"') == 2


@settings(max_examples=300)
@given(st.text(min_size=1))
def test_content_disposition_round_trips_any_name(original: str) -> None:
    header = content_disposition(original)
    assert header.isascii()
    assert "\r" not in header and "\n" not in header
    encoded = header.split("filename*=UTF-8''", 1)[1]
    assert all(c.isalnum() or c in "!#$&+-.^_`|~%" for c in encoded)
    assert unquote(encoded, encoding="utf-8", errors="strict") == display_name(original)
