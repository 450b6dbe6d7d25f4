"""The retry schedule of failed attempts."""

from __future__ import annotations

import pytest

from pifai.services.queue import retry_delay


def test_backoff_doubles_from_the_base_and_stops_at_the_cap() -> None:
    assert [retry_delay(n, 1.0, 300.0) for n in range(1, 11)] == [
        1,
        2,
        4,
        8,
        16,
        32,
        64,
        128,
        256,
        300,
    ]
    assert retry_delay(10_000, 1.0, 300.0) == 300.0
    with pytest.raises(ValueError):
        retry_delay(0, 1.0, 300.0)
