"""Queue consumer entry point: ``python -m pifai.worker`` (the task-queue issue fills it in)."""

from __future__ import annotations


def main() -> None:
    raise SystemExit("the worker arrives with the task-queue issue")


if __name__ == "__main__":
    main()
