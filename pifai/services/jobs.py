"""The one explicit list of modules that register task kinds. Web and worker load the
same list, so a kind the API can enqueue is a kind every worker can run."""

from __future__ import annotations

import importlib

JOB_MODULES: tuple[str, ...] = (
    "pifai.services.task_handlers",  # noop, test.fail
    "pifai.services.formula_extraction",  # formula_extract (PIF item 3)
    "pifai.services.knowledge",  # periodic rag.backfill
)


def load_jobs(extra: tuple[str, ...] = ()) -> None:
    for module in (*JOB_MODULES, *extra):
        importlib.import_module(module)
