"""The outbox: work that must happen because of a committed change, delivered by a worker.

Tasks are rows of django-tasks' database backend (django_tasks_db), written in the same
transaction as the change that calls for them: when the change commits, so does its e-mail;
when it rolls back, so does the e-mail; a process that dies right after the commit loses
nothing. `manage.py db_worker` (started by `make run` and `make serve`, and by systemd in
production) delivers them.

A delivery that fails (the mail server is down) is tried again later, with a growing delay,
up to MAX_ATTEMPTS times; every attempt is a row with its outcome.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from .emails import order_email_build
from .models import Order, Refund

logger = logging.getLogger("shop.orders")

MAX_ATTEMPTS = 6
# delay before attempt n+1 (after attempt n failed)
BACKOFF = (dt.timedelta(minutes=1), dt.timedelta(minutes=5), dt.timedelta(minutes=30),
           dt.timedelta(hours=2), dt.timedelta(hours=6))


def order_email_queue(*, order: Order, kind: str, refund: Refund | None = None) -> None:
    """Queues the customer e-mail of `kind` about `order`, in the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("order e-mails are queued inside the change's transaction")
    order_email_deliver.enqueue(order_id=order.pk, kind=kind,
                                refund_id=refund.pk if refund is not None else None)


@task()
def order_email_deliver(order_id: int, kind: str, refund_id: int | None = None,
                        attempt: int = 1) -> str:
    order = Order.objects.filter(pk=order_id).first()
    if order is None:
        return "order gone"
    refund = Refund.objects.filter(pk=refund_id).first() if refund_id else None
    message = order_email_build(order=order, kind=kind, refund=refund)
    if message is None:  # an erased account (or no address): nobody to write to
        return "no recipient"
    try:
        message.send(fail_silently=False)
    except Exception:
        if attempt < MAX_ATTEMPTS:
            order_email_deliver.using(
                run_after=timezone.now() + BACKOFF[attempt - 1]
            ).enqueue(order_id=order_id, kind=kind, refund_id=refund_id, attempt=attempt + 1)
            logger.warning("order e-mail failed; will try again",
                           extra={"order": order.number, "kind": kind, "attempt": attempt})
        else:
            logger.error("order e-mail failed for good",
                         extra={"order": order.number, "kind": kind, "attempt": attempt})
        raise
    return "sent"


# A worker killed while delivering leaves its task "RUNNING" for ever (django-tasks does not
# take it back). E-mails take seconds: one still running after this is an orphan.
STUCK_AFTER = dt.timedelta(minutes=15)


def outbox_requeue_stuck(*, older_than: dt.timedelta = STUCK_AFTER) -> int:
    """Puts order e-mails whose worker died mid-delivery back in the queue (run by
    `reconcile_payments`). At least once: the customer may get such an e-mail twice, never
    zero times."""
    return DBTaskResult.objects.filter(
        status="RUNNING", started_at__lt=timezone.now() - older_than,
        task_path=order_email_deliver.module_path,
    ).update(status="READY")
