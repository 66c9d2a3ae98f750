"""Staff API schemas of security alerts (the output schema is the whitelist)."""

from datetime import datetime

from ninja import Schema
from pydantic import Field


class AlertQuery(Schema):
    open: bool = Field(False, description="only alerts not yet acknowledged")
    limit: int = Field(50, ge=1, le=100)


class AlertOut(Schema):
    id: int
    rule: str
    severity: str
    subject: str
    summary: str
    event_count: int
    first_seen: datetime
    last_seen: datetime
    acknowledged_at: datetime | None

    @staticmethod
    def resolve_first_seen(alert) -> datetime:
        return alert.created_at

    @staticmethod
    def resolve_last_seen(alert) -> datetime:
        return alert.last_seen_at


class AlertListOut(Schema):
    items: list[AlertOut]
