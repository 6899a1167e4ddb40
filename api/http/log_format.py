"""The service's log lines (structlog): JSON lines for a log collector, or human lines on a terminal.

``log_format=auto`` picks by whether standard output is a terminal. Lines go to standard output, flushed each time,
so a supervisor (systemd's journal, a container runtime) gets them as they happen.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

import structlog


def configure(log_format: str, stream: TextIO | None = None) -> None:
    stream = stream or sys.stdout
    human = log_format == "console" or (log_format == "auto" and stream.isatty())
    renderer = structlog.dev.ConsoleRenderer(colors=stream.isatty()) if human else structlog.processors.JSONRenderer()
    structlog.configure(
        processors=[structlog.processors.add_log_level, structlog.processors.TimeStamper(fmt="iso", utc=True),
                    renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
        logger_factory=structlog.PrintLoggerFactory(stream),
        cache_logger_on_first_use=False,  # the tests configure again per app; a bound logger costs microseconds
    )
