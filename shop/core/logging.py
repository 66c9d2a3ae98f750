import logging
import time
from typing import Any

from pythonjsonlogger.orjson import OrjsonFormatter

from . import request_context


class RequestContextFilter(logging.Filter):
    """Stamps every log record with the id (and route, user id) of the request being served."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = request_context.current()
        if context is not None:
            record.request_id = context.request_id
            if context.route:
                record.route = context.route
            if context.user_id is not None:
                record.user_id = context.user_id
        return True


class JsonFormatter(OrjsonFormatter):
    """python-json-logger's orjson formatter, writing the same lines with less work per line
    (one access line per request is on every request's path): the date and time are formatted
    once per second, not per line, and a record's fields are merged in one loop when the
    formatter uses none of the options that would add to them (defaults, static fields, a
    timestamp, kept missing renames) and the line carries no exception or stack."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._second: tuple[int, str] = (-1, "")  # one tuple: replaced whole, thread-safe

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        if datefmt or not self.default_msec_format:
            return super().formatTime(record, datefmt)
        second, text = self._second
        if int(record.created) != second:
            text = time.strftime(self.default_time_format, self.converter(record.created))
            self._second = (int(record.created), text)
        return self.default_msec_format % (text, record.msecs)

    def add_fields(self, log_data: dict[str, Any], record: logging.LogRecord,
                   message_dict: dict[str, Any]) -> None:
        if (message_dict or self.defaults or self.static_fields or self.timestamp
                or self.rename_fields_keep_missing):
            super().add_fields(log_data, record, message_dict)
            return
        rename = self.rename_fields
        fields = record.__dict__
        for name in self._required_fields:
            log_data[rename.get(name, name)] = fields.get(name)
        skip = self._skip_fields
        for key, value in fields.items():
            if key not in skip and not (isinstance(key, str) and key.startswith("_")):
                log_data[rename.get(key, key)] = value
