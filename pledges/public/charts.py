"""The progress chart of a pledge's quantitative target, drawn on the server as SVG (no JavaScript).

It plots the measured values, each at the end of the period it measures (trade in 2022 at the
end of 2022, though reported in May 2023), against the target and the on-track line (the
straight line from the baseline at the announcement to the target at the deadline), with a
text alternative.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from pledges.templatetags.pledge_format import quantity

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 128, 16, 30, 36


@dataclass
class Chart:
    svg: str
    points: list = field(default_factory=list)  # (what was measured when, value), as the text alternative's table
    summary: str = ""


def _when(update, day):
    """The period a plotted value measures, as a reader reads it ("2022"), or the day of its report."""
    from pledges.templatetags.pledge_format import measured_period

    period = measured_period(update)
    return (
        _("in %(period)s") % {"period": period}
        if period
        else _("on %(day)s") % {"day": date_format(day, "DATE_FORMAT")}
    )


def measured_series(target, updates):
    """The values the chart plots, oldest first, at the end of the period each measures:
    region-wide measurements where there are any, otherwise, at each measurement, the sum of
    each country's latest value so far."""
    measured = sorted(
        (u for u in updates if u.measurement_value is not None and u.target_id == target.pk),
        key=lambda u: (u.measured_on, u.pk),
    )
    overall = [(u.measured_on, u.measurement_value, u) for u in measured if u.measurement_country_id is None]
    if overall:
        return overall
    latest, series = {}, []
    for update in measured:
        latest[update.measurement_country_id] = update.measurement_value
        series.append((update.measured_on, sum(latest.values(), Decimal(0)), update))
    return series


def progress_chart(target, updates):
    """The chart of `target` from its pledge's (published) updates, or None if there is nothing to plot."""
    points = measured_series(target, updates)
    if not points:
        return None
    pledge = target.pledge
    unit = target.unit
    baseline = target.baseline_value or Decimal(0)
    start = min([pledge.announced_on, points[0][0]] + ([target.baseline_on] if target.baseline_on else []))
    end = max([points[-1][0]] + ([pledge.deadline_end] if pledge.deadline_end else []))
    if end <= start:
        end = date(start.year + 1, start.month, 1)
    top = max([target.target_value, baseline] + [value for _day, value, _update in points]) * Decimal("1.1") or Decimal(
        1
    )

    # Coordinates as text with one decimal (format_html escapes its arguments before formatting).
    def x(day):
        return f"{LEFT + (WIDTH - LEFT - RIGHT) * (day - start).days / (end - start).days:.1f}"

    def y(value, shift=0):
        return f"{TOP + (HEIGHT - TOP - BOTTOM) * (1 - float(value) / float(top)) + shift:.1f}"

    parts = [
        format_html(
            '<line class="axis" x1="{}" y1="{}" x2="{}" y2="{}"/>',
            LEFT,
            HEIGHT - BOTTOM,
            WIDTH - RIGHT,
            HEIGHT - BOTTOM,
        ),
        format_html('<line class="axis" x1="{}" y1="{}" x2="{}" y2="{}"/>', LEFT, TOP, LEFT, HEIGHT - BOTTOM),
    ]
    # The axis says its unit once, at its top; its ticks are bare numbers, short enough to stay
    # legible (11 px or more) on a phone, where site.css enlarges the chart's text.
    parts.append(format_html('<text class="label" x="{}" y="{}" text-anchor="start">{}</text>', 4, TOP - 12, unit.name))
    for value in (Decimal(0), target.target_value / 2, target.target_value):
        parts.append(
            format_html(
                '<text class="tick" x="{}" y="{}" text-anchor="end">{}</text>', LEFT - 6, y(value, 4), quantity(value)
            )
        )
    years = range(start.year + 1, end.year + 1)
    for year in years[:: 1 if len(years) <= 6 else 2]:
        tick = date(year, 1, 1)
        parts.append(
            format_html(
                '<text class="tick" x="{}" y="{}" text-anchor="middle">{}</text>', x(tick), HEIGHT - BOTTOM + 18, year
            )
        )
    parts.append(
        format_html(
            '<line class="target" x1="{}" y1="{}" x2="{}" y2="{}"/>'
            '<text class="label" x="{}" y="{}" text-anchor="end">{}</text>',
            LEFT,
            y(target.target_value),
            WIDTH - RIGHT,
            y(target.target_value),
            WIDTH - RIGHT,
            y(target.target_value, -5),
            _("Target"),
        )
    )
    if pledge.deadline_end and pledge.deadline_end > pledge.announced_on:
        parts.append(
            format_html(
                '<line class="on-track" x1="{}" y1="{}" x2="{}" y2="{}"/>'
                '<text class="label" x="{}" y="{}" text-anchor="middle">{}</text>',
                x(pledge.announced_on),
                y(baseline),
                x(pledge.deadline_end),
                y(target.target_value),
                x(pledge.announced_on + (pledge.deadline_end - pledge.announced_on) / 2),
                y((baseline + target.target_value) / 2, 22),
                _("on track"),
            )
        )
    parts.append(
        format_html(
            '<polyline class="measured" points="{}"/>',
            " ".join(f"{x(day)},{y(value)}" for day, value, _update in points),
        )
    )
    parts.append(
        format_html_join(
            "", '<circle class="point" cx="{}" cy="{}" r="4"/>', ((x(day), y(value)) for day, value, _update in points)
        )
    )
    first_day, first_value, first = points[0]
    last_day, last_value, last = points[-1]
    # The latest value, labelled beside its point (left of it when the point is near the right edge).
    near_right = float(x(last_day)) > WIDTH - RIGHT - 120
    parts.append(
        format_html(
            '<text class="label latest" x="{}" y="{}" text-anchor="{}">{}</text>',
            f"{float(x(last_day)) + (-8 if near_right else 8):.1f}",
            y(last_value, -8),
            "end" if near_right else "start",
            quantity(last_value, unit),
        )
    )
    if len(points) == 1:  # one measurement reads as one, not as a journey from itself to itself
        summary = _("Measured: %(value)s %(when)s. The target is %(target)s.") % {
            "value": quantity(first_value, unit),
            "when": _when(first, first_day),
            "target": quantity(target.target_value, unit),
        }
    else:
        summary = _(
            "Measured values went from %(first)s %(first_when)s to %(last)s %(last_when)s. The target is %(target)s."
        ) % {
            "first": quantity(first_value, unit),
            "first_when": _when(first, first_day),
            "last": quantity(last_value, unit),
            "last_when": _when(last, last_day),
            "target": quantity(target.target_value, unit),
        }
    if pledge.deadline_end:
        summary += " " + _("The dashed line is the target; the dotted line is the straight path to it by %(end)s.") % {
            "end": date_format(pledge.deadline_end, "DATE_FORMAT")
        }
    title = (
        _("Progress towards the target")
        if not target.label
        else _("Progress towards the target: %(label)s") % {"label": target.label}
    )
    svg = format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="chart-title-{} chart-desc-{}" '
        'xmlns="http://www.w3.org/2000/svg"><title id="chart-title-{}">{}</title><desc id="chart-desc-{}">{}</desc>{}</svg>',
        WIDTH,
        HEIGHT,
        target.position,
        target.position,
        target.position,
        title,
        target.position,
        summary,
        mark_safe("".join(parts)),
    )
    return Chart(svg=svg, points=[(_when(update, day), value) for day, value, update in points], summary=summary)
