"""The outbox in tests: e-mails (and other tasks) are rows of the task queue, written in the
same transaction as the change; `deliver_outbox()` runs the real worker (django-tasks'
`db_worker` loop, in batch mode) in this process until the queue holds nothing that is due,
as `make run` does in its own process.

Inside a test's transaction (the `db` fixture) the worker must not close the connection
between tasks, as it does in production to drop stale ones: that would end the test's
transaction.
"""

from __future__ import annotations

from contextlib import nullcontext
from unittest import mock

from django.db import connection


def deliver_outbox() -> int:
    """Runs every task that is due; returns how many ran."""
    from django_tasks_db.management.commands import db_worker

    worker = db_worker.Worker(
        queue_names=["*"], interval=0, batch=True, backend_name="default",
        startup_delay=False, max_tasks=None, worker_id="test-worker", excluded_queue_names=[],
    )
    keep_connection = (
        mock.patch.object(db_worker, "close_old_connections", return_value=None)
        if connection.in_atomic_block else nullcontext()
    )
    with keep_connection:
        worker.run()
    return worker._run_tasks
