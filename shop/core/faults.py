"""Fault injection for the crash tests, and nothing else.

`fault_point(name)` marks a step of a money path (after the charge was recorded, after the
provider answered, ...). Under the test settings, when the environment names a file in
SHOP_FAULT_FILE and that file holds this step's name, the process dies on the spot
(`os._exit`: no cleanup, no response, no rollback of what was committed), exactly like a
killed app-server worker. The crash tests (tests/orders/test_crash_matrix.py) write the step
into the file, send the request to a real granian worker, and then run the reconciliation job.

Only config/settings/test.py defines SHOP_FAULT_FILE; in every other environment this is a
no-op that reads nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings


def fault_point(name: str) -> None:
    path = getattr(settings, "SHOP_FAULT_FILE", "")
    if not path:
        return
    try:
        wanted = Path(path).read_text().strip()
    except OSError:
        return
    if wanted == name:
        os._exit(70)
