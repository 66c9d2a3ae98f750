import logging

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
