"""structlog set-up: JSON lines in production, readable console output in development."""

from __future__ import annotations

import logging
import sys

import structlog

from pifai.core.config import Settings


def configure_logging(*, json: bool, level: str = "INFO", traceback_locals: bool = False) -> None:
    """``traceback_locals`` prints each frame's local variables in development tracebacks:
    off by default, since one error can then print thousands of lines and stall the
    server while it does."""
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer()
        if json
        else structlog.dev.ConsoleRenderer(
            exception_formatter=structlog.dev.RichTracebackFormatter(show_locals=True)
            if traceback_locals
            else structlog.dev.plain_traceback
        )
    )
    structlog.configure(
        processors=[
            # Drop below-level events before any processing is spent on them.
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.processors.format_exc_info
            if json
            else structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(foreign_pre_chain=shared, processor=renderer)
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # uvicorn's own access log duplicates ours.
    logging.getLogger("uvicorn.access").disabled = True
    # pgserver logs every pg_ctl call at INFO.
    logging.getLogger("pgserver").setLevel(logging.WARNING)


def configure_logging_from(settings: Settings) -> None:
    configure_logging(
        json=settings.json_logs,
        level=settings.log_level,
        traceback_locals=settings.log_traceback_locals,
    )
