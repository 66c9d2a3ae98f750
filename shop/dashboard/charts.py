"""Server-rendered SVG charts: geometry computed here, drawn by the template with plain SVG
elements (no script, no inline style: the CSP allows neither)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from shop.orders.staff_selectors import SalesDay


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # for the <title> tooltip and screen readers
    is_today: bool


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    plot_left: int
    plot_bottom: float
    bars: list[Bar]
    ticks: list[Tick]
    x_labels: list[tuple[float, str]]
    summary: str


def _nice_ceiling(value: Decimal) -> Decimal:
    """1, 2, 2.5 or 5 times a power of ten, at least `value` (and at least 10)."""
    value = max(value, Decimal(10))
    magnitude = Decimal(10) ** (len(str(int(value))) - 1)
    for step in (1, 2, Decimal("2.5"), 5, 10):
        if value <= magnitude * step:
            return magnitude * Decimal(step)
    return magnitude * 10


def _money(value: Decimal) -> str:
    if value >= 1000:
        return f"{value / 1000:.1f}k".replace(".0k", "k")
    return f"{value:.0f}"


def sales_bar_chart(days: list[SalesDay], *, currency: str, width: int = 720,
                    height: int = 220) -> BarChart:
    left, right, top, bottom = 48, 8, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_ceiling(max((d.revenue for d in days), default=Decimal(0)))
    slot = plot_w / max(len(days), 1)
    bars = []
    for index, day in enumerate(days):
        bar_h = float(day.revenue / top_value) * plot_h if top_value else 0.0
        bar_h = max(bar_h, 1.5) if day.revenue > 0 else 0.0
        bars.append(Bar(
            x=round(left + index * slot + slot * 0.15, 2),
            y=round(top + plot_h - bar_h, 2),
            width=round(slot * 0.7, 2),
            height=round(bar_h, 2),
            label=f"{day.day:%a %d %b}: {currency} {day.revenue:.2f}, {day.orders} orders",
            is_today=index == len(days) - 1,
        ))
    ticks = [
        Tick(y=round(top + plot_h - plot_h * i / 4, 2), label=_money(top_value * i / 4))
        for i in range(5)
    ]
    x_labels = [
        (round(left + index * slot + slot / 2, 2), f"{day.day:%d %b}")
        for index, day in enumerate(days)
        if index % 7 == (len(days) - 1) % 7
    ]
    total = sum((d.revenue for d in days), Decimal("0.00"))
    best = max(days, key=lambda d: d.revenue) if days else None
    summary = f"Revenue over the last {len(days)} days: {currency} {total:.2f}"
    if best is not None and best.revenue > 0:
        summary += f"; best day {best.day:%d %b} with {currency} {best.revenue:.2f}"
    return BarChart(width=width, height=height, plot_left=left, plot_bottom=top + plot_h,
                    bars=bars, ticks=ticks, x_labels=x_labels, summary=summary + ".")
