"""The job list: production's jobs as data, and what a list refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from pifai.core.config import Settings
from pifai.services.jobs import noop, production_jobs
from pifai.services.queue import Job, JobContext, JobList, PeriodicJob, TaskResult, UnknownTaskKind


async def _handler(ctx: JobContext) -> TaskResult:
    return None


async def _periodic(runtime: object) -> None:
    return None


def test_production_lists_its_jobs_and_no_test_job() -> None:
    jobs = production_jobs()
    assert jobs.names() == [
        "compliance.recheck",
        "formula.extract",
        "pif.generate",
        "report.extract",
        "safety.assess",
        "system.noop",
        "toxicology.batch",
        "toxicology.refresh",
    ]
    assert [j.name for j in jobs.public()] == ["system.noop"]
    assert [j.name for j in jobs.periodic] == ["rag.backfill", "pif.expiry_digest"]
    assert "test.fail" not in jobs and jobs.get("test.fail") is None
    formula = jobs.analysis(3)
    assert formula is not None and formula.name == "formula.extract"
    assert formula.on_failure is not None
    assert jobs.analysed_items() == [2, 3, 5, 11, 12, 13, 15] and jobs.analysis(4) is None
    # One job reads every kind of report.
    assert {jobs.analysis(n).name for n in (2, 5, 11, 12, 13, 15)} == {"report.extract"}  # type: ignore[union-attr]


def test_rag_backfill_runs_only_with_a_rag_service(tmp_path: Path) -> None:
    [backfill] = [j for j in production_jobs().periodic if j.name == "rag.backfill"]
    plain = Settings(app_env="test", data_dir=tmp_path, rag_api_base=None)
    assert backfill.interval(plain) is None
    configured = plain.model_copy(
        update={"rag_api_base": "http://rag.test", "rag_backfill_interval_seconds": 120}
    )
    assert backfill.interval(configured) == 120


def test_the_expiry_digest_runs_on_its_interval_unless_turned_off(tmp_path: Path) -> None:
    [digest] = [j for j in production_jobs().periodic if j.name == "pif.expiry_digest"]
    plain = Settings(app_env="test", data_dir=tmp_path)
    assert digest.interval(plain) == 3600
    assert digest.interval(plain.model_copy(update={"expiry_digest_interval_seconds": 0})) is None


def test_including_makes_a_new_list() -> None:
    jobs = production_jobs()
    more = jobs.including(Job("test.extra", _handler), PeriodicJob("test.tick", _periodic, float))
    assert "test.extra" in more and "test.extra" not in jobs
    assert [j.name for j in more.periodic] == ["rag.backfill", "pif.expiry_digest", "test.tick"]
    assert more.names() == [
        "compliance.recheck",
        "formula.extract",
        "pif.generate",
        "report.extract",
        "safety.assess",
        "system.noop",
        "test.extra",
        "toxicology.batch",
        "toxicology.refresh",
    ]


def test_require_names_the_known_kinds() -> None:
    with pytest.raises(UnknownTaskKind) as caught:
        production_jobs().require("noop")
    assert caught.value.details == {
        "kinds": [
            "compliance.recheck",
            "formula.extract",
            "pif.generate",
            "report.extract",
            "safety.assess",
            "system.noop",
            "toxicology.batch",
            "toxicology.refresh",
        ]
    }


@pytest.mark.parametrize("name", ["noop", "formula_extract", "dead", "Queue.Run", "a.b.c", ".x"])
def test_a_job_is_named_context_dot_verb(name: str) -> None:
    with pytest.raises(ValueError, match=r"<context>\.<verb>"):
        Job(name, _handler)
    with pytest.raises(ValueError, match=r"<context>\.<verb>"):
        PeriodicJob(name, _periodic, float)


def test_a_list_refuses_twice_the_same_name_or_item() -> None:
    with pytest.raises(ValueError, match="listed twice"):
        JobList([Job("system.noop", noop), PeriodicJob("system.noop", _periodic, float)])
    with pytest.raises(ValueError, match="two analyses"):
        JobList([Job("a.one", _handler, item=3), Job("a.two", _handler, item=3)])
    with pytest.raises(ValueError, match="1 to 16"):
        Job("a.one", _handler, item=17)
    with pytest.raises(ValueError, match="1 to 16"):
        Job("a.one", _handler, item=2, more_items=(5, 0))
    with pytest.raises(ValueError, match="item 5 has two analyses"):
        JobList([Job("a.one", _handler, item=2, more_items=(5,)), Job("a.two", _handler, item=5)])
