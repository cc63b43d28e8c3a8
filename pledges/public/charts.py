"""The progress chart of a pledge's quantitative target, drawn on the server as SVG (no JavaScript).

It plots the measured values, each at the end of the period it measures (trade in 2022 at the
end of 2022, though reported in May 2023), against the target and the on-track line (the
straight line from the baseline at the announcement to the target at the deadline), with a
text alternative.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from pledges.models import TargetKind, covers_a_year, shown
from pledges.templatetags.pledge_format import qualified, quantity

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 128, 16, 30, 36


@dataclass
class Chart:
    svg: str
    points: list = field(default_factory=list)  # (what was measured when, value), as the text alternative's table
    summary: str = ""


def _when(update, day):
    """The period a plotted value measures, as a reader reads it ("2022"), or the day of its report."""
    from pledges.templatetags.pledge_format import measured_when

    return measured_when(update) or _("on %(day)s") % {"day": date_format(day, "DATE_FORMAT")}


def measured_series(target, updates):
    """The values the chart plots, oldest first, at the end of the period each measures:
    region-wide measurements where there are any, otherwise, at each measurement, the sum of
    each country's latest value so far (a floor: only what the countries reported). A yearly
    flow plots whole years only; a part of a year is listed, not drawn."""
    measured = sorted(
        (
            u
            for u in updates
            if u.measurement_value is not None
            and u.target_id == target.pk
            and (target.kind != TargetKind.FLOW or covers_a_year(u))
        ),
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
    """The chart of `target` from its pledge's (published) updates, or None if there is nothing to plot.

    A yearly flow is drawn as a bar across each year it measures; a total or a level as points
    at the end of the period each measures, joined. The on-track line needs a recorded baseline;
    a direction has no target line. A series summed from countries' figures is drawn dashed and
    said to be a floor.
    """
    points = measured_series(target, updates)
    if not points:
        return None
    pledge = target.pledge
    unit = target.unit
    flow = target.kind == TargetKind.FLOW
    goal = target.target_value  # None for a direction
    floor = points[0][2].measurement_country_id is not None
    baseline = target.baseline_value or Decimal(0)
    first_day = date(points[0][0].year, 1, 1) if flow else points[0][0]
    start = min([pledge.announced_on, first_day] + ([target.baseline_on] if target.baseline_on else []))
    end = max([points[-1][0]] + ([pledge.deadline_end] if pledge.deadline_end else []))
    if end <= start:
        end = date(start.year + 1, start.month, 1)
    values = [value for _day, value, _update in points] + ([goal, baseline] if goal is not None else [])
    top = max(values) * Decimal("1.1") or Decimal(1)

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
    scale = goal if goal is not None else max(value for _day, value, _update in points)
    for value in (Decimal(0), scale / 2, scale):
        parts.append(
            format_html(
                '<text class="tick" x="{}" y="{}" text-anchor="end">{}</text>', LEFT - 6, y(value, 4), quantity(value)
            )
        )
    # A flow's year is labelled under the middle of its bar; other charts mark the start of each
    # year. A label too near the value axis would run into its "0".
    years = range(start.year if flow else start.year + 1, end.year + 1)
    for year in years[:: 1 if len(years) <= 6 else 2]:
        tick = date(year, 7, 1) if flow else date(year, 1, 1)
        if tick < start or tick > end or float(x(tick)) < LEFT + 24:
            continue
        parts.append(
            format_html(
                '<text class="tick" x="{}" y="{}" text-anchor="middle">{}</text>', x(tick), HEIGHT - BOTTOM + 18, year
            )
        )
    if goal is not None:
        parts.append(
            format_html(
                '<line class="target" x1="{}" y1="{}" x2="{}" y2="{}"/>'
                '<text class="label" x="{}" y="{}" text-anchor="end">{}</text>',
                LEFT,
                y(goal),
                WIDTH - RIGHT,
                y(goal),
                WIDTH - RIGHT,
                y(goal, -5),
                _("Target"),
            )
        )
    on_track = (
        goal is not None
        and target.baseline_value is not None
        and pledge.deadline_end
        and pledge.deadline_end > pledge.announced_on
    )
    if on_track:
        parts.append(
            format_html(
                '<line class="on-track" x1="{}" y1="{}" x2="{}" y2="{}"/>'
                '<text class="label" x="{}" y="{}" text-anchor="middle">{}</text>',
                x(pledge.announced_on),
                y(baseline),
                x(pledge.deadline_end),
                y(goal),
                x(pledge.announced_on + (pledge.deadline_end - pledge.announced_on) / 2),
                y((baseline + goal) / 2, 22),
                _("on track"),
            )
        )
    if flow:  # each year's figure across its year
        parts.append(
            format_html_join(
                "",
                '<rect class="year-bar" x="{}" y="{}" width="{}" height="{}"><title>{}</title></rect>',
                (
                    (
                        x(max(date(day.year, 1, 1), start)),
                        y(value),
                        f"{float(x(min(day, end))) - float(x(max(date(day.year, 1, 1), start))):.1f}",
                        f"{float(y(0)) - float(y(value)):.1f}",
                        f"{day.year}: {quantity(value, unit)}",
                    )
                    for day, value, _update in points
                ),
            )
        )
    else:
        parts.append(
            format_html(
                '<polyline class="{}" points="{}"/>',
                "measured floor" if floor else "measured",
                " ".join(f"{x(day)},{y(value)}" for day, value, _update in points),
            )
        )
        parts.append(
            format_html_join(
                "",
                '<circle class="point" cx="{}" cy="{}" r="4"/>',
                ((x(day), y(value)) for day, value, _update in points),
            )
        )
    first_day, first_value, first = points[0]
    last_day, last_value, last = points[-1]
    # The latest value, labelled above its bar or beside its point (left of it near the right edge).
    label_x = float(x(date(last_day.year, 7, 1) if flow else last_day))
    near_right = label_x > WIDTH - RIGHT - 120
    latest_text = quantity(last_value, unit)
    parts.append(
        format_html(
            '<text class="label latest" x="{}" y="{}" text-anchor="{}">{}</text>',
            f"{label_x + (0 if flow else (-8 if near_right else 8)):.1f}",
            y(last_value, -8),
            "middle" if flow and not near_right else ("end" if near_right else "start"),
            _("at least %(value)s") % {"value": latest_text} if floor else latest_text,
        )
    )
    target_text = (
        _("The target is %(target)s.") % {"target": qualified(quantity(goal, unit), target.value_qualifier)}
        if goal is not None
        else _("The pledge sets no number.")
    )
    if len(points) == 1:  # one measurement reads as one, not as a journey from itself to itself
        summary = _("Measured: %(value)s %(when)s.") % {
            "value": quantity(first_value, unit),
            "when": _when(first, first_day),
        }
    else:
        summary = _("Measured values went from %(first)s %(first_when)s to %(last)s %(last_when)s.") % {
            "first": quantity(first_value, unit),
            "first_when": _when(first, first_day),
            "last": quantity(last_value, unit),
            "last_when": _when(last, last_day),
        }
    summary += " " + target_text
    if floor:
        summary += " " + _(
            "These are the sums of the figures reported for single countries, so at least this much; "
            "no figure for all the countries together has been found."
        )
    if flow:
        summary += " " + _("Each bar is one year's figure, drawn across its year.")
    if on_track:
        summary += " " + _("The dashed line is the target; the dotted line is the straight path to it by %(end)s.") % {
            "end": date_format(pledge.deadline_end, "DATE_FORMAT")
        }
    elif goal is not None:
        summary += " " + _("The dashed line is the target.")
    # A sentence ending on a date that ends with a point (Russian "2030 г.") takes no second one.
    summary = re.sub(r"\.\.(?=\s|$)", ".", summary)
    title = (
        _("Progress towards the target")
        if not target.label
        else _("Progress towards the target: %(label)s") % {"label": shown(target, "label").marked_text()}
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
    return Chart(
        svg=svg,
        points=[
            (_when(update, day), qualified(quantity(value, unit), update.measurement_qualifier))
            for day, value, update in points
        ],
        summary=summary,
    )
