"""A city's spend over time: its figures by stage at the end of each month of a programme year's life, asked of the
API's own city spend route at each time (the same figures the city page's table shows at its as_of), drawn as an
inline SVG line chart (no script, no library): a line per stage that ever moves."""

from __future__ import annotations

from calendar import monthrange
from datetime import date, datetime
from typing import Any

from api.http.console.moments import END_OF_DAY, SHANGHAI
from api.http.dependencies import Call
from api.http.routes import queries

MONTHS = 36  # a year's vouchers are issued, redeemed and settled, and recovered, within three years
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 900, 260, 90, 20, 10, 30
DASHES = ("", "6 3", "2 3", "8 3 2 3")  # lines that run together (settled, spend, cash out) stay apart to the eye
COLOURS = {"claimed": "#9aa5b1", "approved": "#f0b429", "settled": "#3e7cb1", "reversed": "#7b8794",
           "recovered": "#c8553d", "spend": "#b3261e", "collected": "#2f8132", "written_off": "#5e35b1",
           "outstanding": "#e67e22", "cash_out": "#1f2933"}


def times(starts: date, at: datetime) -> list[datetime]:
    """The end of each month from the month of ``starts`` (the year's issuance opening: a successor year may issue
    before its 1 January) before ``at`` (at most MONTHS), then ``at`` itself."""
    found, y, m = [], starts.year, starts.month
    while len(found) < MONTHS:
        end = datetime(y, m, monthrange(y, m)[1], END_OF_DAY.hour, END_OF_DAY.minute, END_OF_DAY.second,
                       END_OF_DAY.microsecond, tzinfo=SHANGHAI)
        if end >= at:
            break
        found.append(end)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return [*found, at]


def spend_over_time(c: Call, code: str, at: datetime, known_at: datetime | None, year: int, starts: date,
                    stages: tuple[str, ...]) -> dict[str, Any]:
    """Each stage's figure (both fund sources, the programme year's lines) at each time, and the chart's geometry."""
    moments = times(starts, at)
    values: dict[str, list[int]] = {stage: [] for stage in stages}
    for moment in moments:
        answer = queries.city_spend(code, moment, year, "programme", None, None, None, known_at, c)
        sums = dict.fromkeys(stages, 0)
        for line in answer["lines"]:
            sums[line["stage"]] += line["amount_fen"]
        for stage in stages:
            values[stage].append(sums[stage])
    shown = {stage: v for stage, v in values.items() if any(v)}
    low = min([0, *(x for v in shown.values() for x in v)])
    high = max([1, *(x for v in shown.values() for x in v)])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return round(LEFT + plot_w * (i / max(len(moments) - 1, 1)), 1)

    def y(value: int) -> float:
        return round(TOP + plot_h * (high - value) / (high - low), 1)

    lines = [{"stage": stage, "colour": COLOURS[stage], "values": v, "dash": DASHES[n % len(DASHES)],
              "points": " ".join(f"{x(i)},{y(value)}" for i, value in enumerate(v))}
             for n, (stage, v) in enumerate(shown.items())]
    # Months as Guangdong counts them: the last moment is the as-of time, which may be a UTC one (now).
    local = [m.astimezone(SHANGHAI) for m in moments]
    ticks = [{"x": x(i), "label": f"{m.year}-{m.month:02d}"} for i, m in enumerate(local)
             if i in (0, len(local) - 1) or m.month in (1, 7)]
    return {"times": moments, "lines": lines, "ticks": ticks, "high": high, "low": low, "zero_y": y(0),
            "top_y": y(high), "width": WIDTH, "height": HEIGHT, "left": LEFT, "right_x": WIDTH - RIGHT}
