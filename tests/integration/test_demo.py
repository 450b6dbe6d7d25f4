"""`pifai demo`'s journey, served in-process on the test servers (a fresh database): the
product ends signed, its PDF's signature validates, and the operator's fix shows."""

from __future__ import annotations

from pathlib import Path

import pytest

from pifai.core.config import Settings
from pifai.demo.journey import SilentReporter
from pifai.demo.runner import demo_settings, serve_and_run
from tests.factories.processes import free_port
from tests.integration.fixtures.servers import APP_ROLE, PLATFORM_ROLE


@pytest.mark.usefixtures("redis")  # empties the test database: registration is rate-limited
async def test_demo_signs_the_product_and_its_pdf_validates(
    scratch_db: str, redis_url: str, tmp_path: Path
) -> None:
    base = Settings(
        app_env="test",
        database_url=scratch_db,
        redis_url=redis_url,
        data_dir=tmp_path,
        app_db_role=APP_ROLE,
        platform_db_role=PLATFORM_ROLE,
    )
    settings = demo_settings(base, "127.0.0.1", free_port(), None)
    served = await serve_and_run(settings, SilentReporter(), keep_serving=False)

    result = served.result
    assert result.signed_version == 1
    assert served.signature_valid, served.signature_message
    assert served.pdf_path.read_bytes().startswith(b"%PDF")
    assert result.ingredients == 25
    assert result.resolved == 25  # 甘草酸二鉀, known only by its Chinese name, included
    assert result.chinese_only_inci == "DIPOTASSIUM GLYCYRRHIZATE"
    assert result.before is not None and result.after is not None
    assert result.before.total > result.after.total
    assert any("PHENOXYETHANOL" in f["ingredient"].upper() for f in result.before.compliance)
    assert not any("PHENOXYETHANOL" in f["ingredient"].upper() for f in result.after.compliance)
    assert result.before.red_claims and not result.after.red_claims
    assert result.lowest_mos is not None
    assert [name for name, _ in result.stages][-1] == "signed PIF PDF"
