"""The service's log lines (structlog): JSON lines for a log collector, or human lines on a terminal.

``log_format=auto`` picks by whether standard output is a terminal. Lines go to standard output, flushed each time,
so a supervisor (systemd's journal, a container runtime) gets them as they happen. The standard library's records
of the ``voucher_ledger`` loggers (a store outage, a JWKS fetch) are written in the same format to standard error
(standard output stays the command line's own answer where a command prints one), so that every line of a process
is one format; a ``follow`` worker's own lines too (:func:`stream_logger`).
"""

from __future__ import annotations

import logging
import sys
from typing import Any, TextIO

import structlog

HANDLER = "voucher-ledger-lines"


def human(log_format: str, stream: TextIO) -> bool:
    return log_format == "console" or (log_format == "auto" and stream.isatty())


def _renderer(log_format: str, stream: TextIO) -> Any:
    if human(log_format, stream):
        return structlog.dev.ConsoleRenderer(colors=stream.isatty())
    return structlog.processors.JSONRenderer()


def _stamped() -> list[Any]:
    return [structlog.processors.add_log_level, structlog.processors.TimeStamper(fmt="iso", utc=True)]


def configure(log_format: str, stream: TextIO | None = None) -> None:
    stream = stream or sys.stdout
    renderer = _renderer(log_format, stream)
    structlog.configure(
        processors=[*_stamped(), renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
        # WriteLogger: a line and its newline in one write. print() makes two, and serve's workers share its output:
        # another process's line landed between them (two JSON objects on one line).
        logger_factory=structlog.WriteLoggerFactory(stream),
        cache_logger_on_first_use=False,  # the tests configure again per app; a bound logger costs microseconds
    )
    _standard_library_too(renderer, None if stream is sys.stdout else stream, human(log_format, stream))


def stream_logger(log_format: str, stream: TextIO, **bound: Any) -> Any:
    """A logger of its own writing to ``stream`` (a worker's stderr beside its stdout), in the process's format."""
    processors = [*_stamped(), *([] if human(log_format, stream) else [structlog.processors.format_exc_info]),
                  _renderer(log_format, stream)]
    return structlog.wrap_logger(structlog.WriteLogger(stream), processors=processors,
                                 wrapper_class=structlog.make_filtering_bound_logger(logging.INFO)).bind(**bound)


class _Stderr:
    """Standard error as it is when a line is written (tests and tools replace ``sys.stderr``)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def with_request_id(_logger: Any, _name: str, event: dict[str, Any]) -> dict[str, Any]:
    """A record written while a request is answered (an unhandled error's traceback, a store outage) carries the
    request's id, which its answer gave the caller: support finds the traceback by it."""
    from api.http import request_id

    current = request_id.current()
    if current is not None:
        event.setdefault("request_id", current)
    return event


def _standard_library_too(renderer: Any, stream: TextIO | None, is_human: bool) -> None:
    logger = logging.getLogger("voucher_ledger")
    for handler in [h for h in logger.handlers if h.get_name() == HANDLER]:
        logger.removeHandler(handler)
    handler = logging.StreamHandler(stream or _Stderr())
    handler.set_name(HANDLER)
    chain = [structlog.stdlib.add_log_level, structlog.stdlib.add_logger_name,
             structlog.processors.TimeStamper(fmt="iso", utc=True), with_request_id]
    if not is_human:
        chain.append(structlog.processors.format_exc_info)  # a traceback as one JSON field, not loose lines
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=chain, processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer]))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False  # written here once, not again by the root logger's last-resort handler


def uvicorn_log_config(log_format: str) -> dict[str, Any] | None:
    """uvicorn's logging set-up for ``serve``: None (uvicorn's own, for people) on a terminal; otherwise its records
    (started, shutting down, an unhandled exception with its traceback) as JSON lines on standard error like the
    service's others, or a collector would split a traceback into loose lines. Names, not objects: uvicorn hands
    the set-up to each of its worker processes."""
    if human(log_format, sys.stdout):
        return None
    return {"version": 1, "disable_existing_loggers": False,
            "formatters": {"json": {"()": "api.http.log_format.json_formatter"}},
            "handlers": {"default": {"class": "logging.StreamHandler", "formatter": "json",
                                     "stream": "ext://sys.stderr"}},
            "loggers": {"uvicorn": {"handlers": ["default"], "level": "INFO", "propagate": False},
                        "uvicorn.error": {"level": "INFO"}, "uvicorn.access": {"level": "INFO"}}}


def json_formatter() -> logging.Formatter:
    """A standard-library record as one JSON line, in the fields of the service's own lines."""
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[structlog.stdlib.add_log_level, structlog.stdlib.add_logger_name,
                           structlog.processors.TimeStamper(fmt="iso", utc=True), with_request_id,
                           structlog.processors.format_exc_info],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, structlog.processors.JSONRenderer()])
