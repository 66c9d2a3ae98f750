"""Capture the app's log records the way its real handlers see them.

The request id, route and user id are stamped on a record by shop.core.logging's
RequestContextFilter, which settings attach to the *handlers* (not the loggers). pytest's
caplog handler does not carry that filter, so its records have no request_id. This handler
does: it sees exactly what the console/file handler would write, including records emitted
by the live server's thread.
"""

from __future__ import annotations

import logging
import threading

from shop.core.logging import RequestContextFilter


class RecordingHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.addFilter(RequestContextFilter())
        self.records: list[logging.LogRecord] = []
        self._guard = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        # Resolve the message now, as the real formatter would, while args are current.
        record.rendered = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            record.exception_text = logging.Formatter().formatException(record.exc_info)
        else:
            record.exception_text = ""
        with self._guard:
            self.records.append(record)

    def snapshot(self) -> list[logging.LogRecord]:
        with self._guard:
            return list(self.records)

    def find(
        self, *, logger: str | None = None, request_id: str | None = None, level: int | None = None
    ) -> list[logging.LogRecord]:
        return [
            record
            for record in self.snapshot()
            if (logger is None or record.name == logger)
            and (request_id is None or getattr(record, "request_id", None) == request_id)
            and (level is None or record.levelno == level)
        ]
