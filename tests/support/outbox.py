"""The outbox in tests: e-mails (and other tasks) are rows of the task queue, written in the
same transaction as the change; `deliver_outbox()` runs the real worker (django-tasks'
`db_worker`) in this process until the queue is empty, as `make run` does in its own process."""

from __future__ import annotations

from django.core.management import call_command, get_commands


def deliver_outbox() -> None:
    if "db_worker" not in get_commands():  # before the outbox existed, mail left at once
        return
    call_command("db_worker", batch=True, interval=0, startup_delay=False,
                 queue_name="*", reload=False, verbosity=0)
