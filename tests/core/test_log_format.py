"""shop/core/logging.py: JsonFormatter writes the lines python-json-logger's orjson formatter
writes, with the project's format (config/settings/base.py), for every kind of record."""

import logging
import sys

from django.conf import settings
from pythonjsonlogger.orjson import OrjsonFormatter

from shop.core.logging import JsonFormatter


def _formatters():
    options = {k: v for k, v in settings.LOGGING["formatters"]["json"].items() if k != "()"}
    return OrjsonFormatter(**options), JsonFormatter(**options)


def _records():
    logger = logging.getLogger("shop.access")
    access = logger.makeRecord("shop.access", logging.INFO, "", 0, "request", (), None, extra={
        "method": "GET", "path": "/products/", "route": "web:product_list", "status": 200,
        "duration_ms": 1.25, "cache_policy": "public-catalog", "user_id": None})
    access.request_id = "0" * 32  # as RequestContextFilter stamps it
    try:
        raise ValueError("boom")
    except ValueError:
        failed = logger.makeRecord("django.request", logging.ERROR, __file__, 1,
                                   "Internal Server Error: %s", ("/x",), sys.exc_info(),
                                   extra={"status_code": 500})
    as_dict = logger.makeRecord("shop.policy", logging.WARNING, __file__, 2,
                                {"event": "dict message", "n": 3}, (), None)
    odd = logger.makeRecord("shop", logging.INFO, __file__, 3, "odd %s", ("é",), None,
                            extra={"_private": 1, "when": object.__name__, "n": [1, 2]})
    return [access, failed, as_dict, odd]


def test_the_same_lines_as_python_json_logger():
    reference, fast = _formatters()
    for record in _records():
        for _ in range(2):  # the second time in the same second, from the remembered time
            assert fast.format(record) == reference.format(record), record.name


def test_the_time_follows_the_clock_across_seconds():
    reference, fast = _formatters()
    record = _records()[0]
    for created in (1_700_000_000.001, 1_700_000_000.999, 1_700_000_001.0, 1_600_000_000.5):
        record.created, record.msecs = created, (created - int(created)) * 1000
        assert fast.format(record) == reference.format(record)
