from decimal import Decimal
from typing import Any

import orjson


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError


def dumps(value: Any) -> bytes:
    return orjson.dumps(value, default=_default)
