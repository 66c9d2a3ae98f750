"""State that every app process must agree on, kept in the database (the one store that every
worker on every machine sees): fixed-window counters for throttles and alert rules, and the
state of the services the shop depends on. shop/core/counters.py and shop/core/health.py use
them; nothing else writes here."""

from django.db import models
from django.utils import timezone


class Counter(models.Model):
    """One count for one subject in one fixed time window (the window is part of the key).
    Incremented with a conditional UPDATE, so concurrent increments from any process add up.
    Rows past `expires_at` are dead and purged as new windows start."""

    key = models.CharField(max_length=200, unique=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key}={self.count}"


class DependencyState(models.Model):
    """Whether a service the shop uses but does not need (Redis) answered at the last check.
    Changed with a conditional UPDATE, so that one state change is logged once, whichever
    process noticed it first."""

    name = models.CharField(max_length=40, unique=True)
    up = models.BooleanField(default=True)
    changed_at = models.DateTimeField(default=timezone.now)
    checked_at = models.DateTimeField(default=timezone.now)
    detail = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.name}: {'up' if self.up else 'down'}"
