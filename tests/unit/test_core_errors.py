"""What a failure may say to a client: `public_error_text`."""

from __future__ import annotations

import asyncpg
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from structlog.testing import capture_logs

from pifai.core.errors import public_error_text

STATEMENT = "INSERT INTO product_ingredients (raw_name, concentration) VALUES ($1, $2)"
PARAMS = ("Top Secret Extract", 120.0)


def _driver_error(cls: type[asyncpg.PostgresError], **fields: str) -> asyncpg.PostgresError:
    error = cls.new({"M": "the server's message", **fields})
    assert isinstance(error, asyncpg.PostgresError)
    return error


def test_other_errors_keep_their_type_and_message() -> None:
    assert public_error_text(ValueError("boom")) == "ValueError: boom"


def test_a_constraint_violation_names_the_constraint_only() -> None:
    driver = _driver_error(asyncpg.CheckViolationError, C="23514", n="ck_rows_range")
    error = IntegrityError(STATEMENT, PARAMS, driver)
    assert "Top Secret Extract" in str(error)
    with capture_logs() as logs:
        text = public_error_text(error)
    assert text == "the result could not be stored (constraint ck_rows_range)"
    # The whole error, statement and parameters included, goes to the log.
    [entry] = logs
    assert "Top Secret Extract" in entry["error"] and STATEMENT in entry["error"]


def test_a_database_error_without_a_constraint_gives_its_sqlstate() -> None:
    driver = _driver_error(asyncpg.NumericValueOutOfRangeError, C="22003")
    text = public_error_text(DataError(STATEMENT, PARAMS, driver))
    assert text == "the result could not be stored (DataError, SQLSTATE 22003)"
    lost = public_error_text(OperationalError(STATEMENT, PARAMS, ConnectionError("gone")))
    assert lost == "the result could not be stored (OperationalError)"


def test_a_driver_error_is_withheld_too() -> None:
    driver = _driver_error(asyncpg.UniqueViolationError, C="23505", n="uq_x", D="Key (x)=(1)")
    assert public_error_text(driver) == "the result could not be stored (constraint uq_x)"


def test_any_text_that_renders_sql_is_withheld() -> None:
    wrapped = RuntimeError(f"failed: [SQL: {STATEMENT}] [parameters: {PARAMS}]")
    text = public_error_text(wrapped)
    assert "SQL" not in text and "Secret" not in text
    assert text.startswith("the result could not be stored")
