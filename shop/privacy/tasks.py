"""The privacy e-mails that go through the outbox (django-tasks' database backend, delivered
by `manage.py db_worker`, like the order e-mails of shop/orders/tasks.py).

A guest's erasure confirmation must reach the address the erasure has just removed from the
order, so the task row carries it; once the e-mail is out (or the attempt failed and a new
row was queued), the row's arguments are rewritten without it: the outbox does not become the
last copy of the address.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import TaskContext, task
from django_tasks_db.models import DBTaskResult

from shop.orders.tasks import BACKOFF, MAX_ATTEMPTS

logger = logging.getLogger("shop.privacy")


def guest_erasure_email_queue(*, email: str, number: str) -> None:
    """Queues the confirmation of a guest order's erasure, in the erasure's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("the erasure e-mail is queued inside the erasure's transaction")
    guest_erasure_email_deliver.enqueue(email=email, number=number)


def _forget(context: TaskContext, number: str) -> None:
    DBTaskResult.objects.filter(pk=context.task_result.id).update(
        args_kwargs={"args": [], "kwargs": {"email": "", "number": number}})


@task(takes_context=True)
def guest_erasure_email_deliver(context: TaskContext, email: str, number: str,
                                attempt: int = 1) -> str:
    if not email:
        return "no recipient"
    try:
        send_mail(
            subject=f"Your details for {settings.SHOP_NAME} order {number} have been deleted",
            message=render_to_string("privacy/email/guest_order_erased.txt",
                                     {"shop_name": settings.SHOP_NAME, "number": number}),
            from_email=None, recipient_list=[email],
        )
    except Exception:
        if attempt < MAX_ATTEMPTS:
            guest_erasure_email_deliver.using(
                run_after=timezone.now() + BACKOFF[attempt - 1]
            ).enqueue(email=email, number=number, attempt=attempt + 1)
            logger.warning("erasure e-mail failed; will try again",
                           extra={"order": number, "attempt": attempt})
        else:
            logger.error("erasure e-mail failed for good", extra={"order": number})
        _forget(context, number)
        raise
    _forget(context, number)
    return "sent"
