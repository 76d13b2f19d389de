"""The questionnaire charts' axes, in headless Chromium.

app.js computes the axes with pure functions (`window.referwellCharts`): the date axis spans
the data with a small margin and ticks on round dates (days, Mondays, first of months, 1 January
of round years) as many as the width has room for; the score axis ticks on round steps up to the
instrument's maximum. They are tested here first alone, then in charts Chart.js draws.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

import pytest

from .a11y import sign_in
from .conftest import Server

pytestmark = pytest.mark.browser

EPOCH = date(1970, 1, 1)
TODAY = date(2026, 11, 30)

# Each case: the dates of the scores.
CASES = {
    "one point": [TODAY],
    "two points on the same day": [TODAY, TODAY],
    "three days": [TODAY - timedelta(days=3), TODAY - timedelta(days=1), TODAY],
    "ten weeks": [TODAY - timedelta(weeks=10), TODAY - timedelta(weeks=4), TODAY],
    "two years": [TODAY - timedelta(days=730), TODAY - timedelta(days=200), TODAY],
    "thirty years": [date(1996, 6, 15), date(2010, 3, 1), TODAY],
    "since 1900": [date(1900, 1, 1), TODAY - timedelta(days=60), TODAY],
}
# The step each case takes on a 600 px axis with 7 px a character.
UNIT_AT_600 = {
    "one point": "day",
    "two points on the same day": "day",
    "three days": "day",
    "ten weeks": "week",
    "two years": "month",
    "thirty years": "year",
    "since 1900": "year",
}
WIDTHS = [160, 300, 600, 1100]
CHAR = 7  # px a character, for the pure functions' measure


def number(day: date) -> int:
    return (day - EPOCH).days


def day_of(value: float) -> date:
    assert value == int(value), f"{value} is not a whole day"
    return EPOCH + timedelta(days=int(value))


def assert_round(unit: str, every: int, value: float) -> None:
    day = day_of(value)
    if unit == "week":
        assert day.weekday() == 0, f"{day} is not a Monday"
    elif unit == "month":
        assert day.day == 1, f"{day} is not the first of a month"
        assert (day.year * 12 + day.month - 1) % every == 0, f"{day}: not every {every} months"
    elif unit == "year":
        assert (day.month, day.day) == (1, 1), f"{day} is not 1 January"
        assert day.year % every == 0, f"{day}: not every {every} years"


def assert_apart(ticks: list[dict[str, Any]], gap: float = 0) -> None:
    """Neighbouring labels, centred on their ticks, do not overlap."""
    for left, right in pairwise(ticks):
        room = right["px"] - left["px"]
        needed = (left["width"] + right["width"]) / 2 + gap
        assert room >= needed, f"{left['label']!r} and {right['label']!r} overlap"


@pytest.fixture
def charts(page: Any, server: Server) -> Any:
    """A page with app.js loaded (every page has it): the sign-in page."""
    page.goto(f"{server.url}/login")
    page.wait_for_function("() => window.referwellCharts !== undefined")
    return page


def date_ticks(page: Any, dates: list[date], width: int) -> dict[str, Any]:
    days = [number(day) for day in dates]
    return dict(
        page.evaluate(
            """([first, last, width, char]) => {
                const charts = window.referwellCharts;
                const domain = charts.dateDomain(first, last, width);
                const found = charts.dateTicks(domain.min, domain.max, width, t => t.length * char);
                return {domain, step: found.step, ticks: found.ticks};
            }""",
            [min(days), max(days), width, CHAR],
        )
    )


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("case", list(CASES))
def test_date_ticks_are_round_inside_the_data_and_apart(charts: Any, case: str, width: int) -> None:
    dates = CASES[case]
    found = date_ticks(charts, dates, width)
    low, high = found["domain"]["min"], found["domain"]["max"]
    first, last = number(min(dates)), number(max(dates))
    # The axis spans the data and a margin just wide enough for a marker (12 px), no more.
    scale = width / (high - low)
    margin = first - low
    assert margin == high - last
    if first == last:
        assert margin == 3
    else:
        assert margin * scale >= 12
        assert margin == 1 or margin * scale <= 12 + scale
    ticks = found["ticks"]
    assert ticks, "no tick at all"
    values = [tick["value"] for tick in ticks]
    assert values == sorted(set(values))
    assert all(low <= value <= high for value in values)
    if found["step"] != "none":
        every, unit = found["step"].split()
        for value in values:
            assert_round(unit, int(every), value)
    placed = [
        {"label": t["label"], "px": (t["value"] - low) * scale, "width": len(t["label"]) * CHAR}
        for t in ticks
    ]
    assert_apart(placed, gap=16)
    # The year is on the first label and wherever it changes.
    if not found["step"].endswith("year"):
        years = [day_of(value).year for value in values]
        assert str(years[0]) in ticks[0]["label"]
        for before, tick, year in zip(years, ticks[1:], years[1:], strict=False):
            assert (str(year) in tick["label"]) == (year != before), tick["label"]
    if width >= 600:
        assert found["step"].split()[-1] == UNIT_AT_600[case]
        assert len(ticks) >= 2


def test_the_finest_step_that_fits_is_taken(charts: Any) -> None:
    wide = date_ticks(charts, CASES["three days"], 1100)
    assert wide["step"] == "1 day"
    assert [t["label"] for t in wide["ticks"]] == [
        "26 Nov 2026", "27 Nov", "28 Nov", "29 Nov", "30 Nov", "1 Dec",
    ]  # fmt: skip
    since_1900 = date_ticks(charts, CASES["since 1900"], 600)
    labels = [t["label"] for t in since_1900["ticks"]]
    assert labels[0] == "1900"
    assert labels[-1] == "2020"
    assert all(re.fullmatch(r"\d{4}", label) for label in labels)
    months = date_ticks(charts, CASES["two years"], 1100)
    assert months["step"] == "2 month"
    assert [t["label"] for t in months["ticks"]][:7] == [
        "Jan 2025", "Mar", "May", "Jul", "Sep", "Nov", "Jan 2026",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("given", "expected_max", "expected"),
    [
        ((27, 14, 200), 27, [0, 5, 10, 15, 20, 25]),  # PHQ-9
        ((21, 3, 200), 21, [0, 5, 10, 15, 20]),  # GAD-7
        ((30, 30, 200), 30, [0, 5, 10, 15, 20, 25, 30]),  # PHQ-15
        ((80, 41, 200), 80, [0, 10, 20, 30, 40, 50, 60, 70, 80]),  # PCL-5
        ((80, 41, 100), 80, [0, 20, 40, 60, 80]),  # PCL-5, short
        ((27, 14, 20), 27, [0, 20]),  # too short for more than two
        ((None, 13, 200), 15, [0, 2, 4, 6, 8, 10, 12, 14]),  # no maximum: the data's, rounded up
        ((None, 64, 200), 70, [0, 10, 20, 30, 40, 50, 60, 70]),
    ],
)
def test_score_ticks_are_round_steps_up_to_the_maximum(
    charts: Any, given: tuple[int | None, int, int], expected_max: int, expected: list[int]
) -> None:
    """`given`: the instrument's maximum, the data's and the axis's height in px."""
    top, ticks = charts.evaluate(
        """([instrumentMax, dataMax, height]) => {
            const top = window.referwellCharts.scoreMax(instrumentMax, dataMax);
            return [top, window.referwellCharts.scoreTicks(top, height).ticks];
        }""",
        list(given),
    )
    assert top == expected_max
    assert ticks == expected


# ---- In charts Chart.js draws ----

DRAW = """([id, width, points, totalMax]) => {
    const box = document.createElement('div');
    box.className = 'chart';
    box.style.width = width + 'px';
    const canvas = document.createElement('canvas');
    canvas.dataset.chart = id;
    box.appendChild(canvas);
    const data = document.createElement('script');
    data.type = 'application/json';
    data.id = id;
    data.textContent = JSON.stringify({
        instrument: 'PHQ-9', caseness_cutoff: 10, total_max: totalMax,
        points: points.map(([date, total]) => ({date, total, change: null, marker: null}))});
    document.getElementById('main').append(box, data);
    window.referwellCharts.draw(canvas);
    return drawn(canvas);
}"""

READ = """
function drawn(canvas) {
    const chart = Chart.getChart(canvas);
    const ctx = chart.ctx;
    const read = scale => {
        ctx.save();
        ctx.font = Chart.helpers.toFont(scale.options.ticks.font).string;
        const ticks = scale.ticks.map(t => ({
            value: t.value, label: t.label, px: scale.getPixelForValue(t.value),
            width: ctx.measureText(t.label).width}));
        ctx.restore();
        return {min: scale.min, max: scale.max, left: scale.left, right: scale.right, ticks};
    };
    return {x: read(chart.scales.x), y: read(chart.scales.y)};
}
"""


def draw(page: Any, chart_id: str, width: int, dates: list[date], total_max: int = 27) -> Any:
    points = [[day.isoformat(), 5 + index % 15] for index, day in enumerate(dates)]
    return page.evaluate(
        f"args => {{ {READ}; return ({DRAW})(args); }}", [chart_id, width, points, total_max]
    )


@pytest.fixture
def client_page(page: Any, server: Server) -> Any:
    sign_in(page, server)
    page.locator("table.caseload tbody th a").first.click()
    page.wait_for_url(re.compile(r".*/clients/\d+$"))
    page.locator("canvas[data-chart]").first.wait_for(state="visible")
    page.wait_for_function("() => typeof Chart !== 'undefined'")
    return page


def test_drawn_charts_have_round_ticks_whose_labels_never_overlap(client_page: Any) -> None:
    for index, (case, dates) in enumerate(CASES.items()):
        for width in (260, 420, 700, 1150):
            drawn = draw(client_page, f"test-chart-{index}-{width}", width, dates)
            where = f"{case}, {width} px"
            x, y = drawn["x"], drawn["y"]
            assert x["min"] < number(min(dates)), where
            assert x["max"] > number(max(dates)), where
            assert x["ticks"], where
            assert all(x["min"] <= t["value"] <= x["max"] for t in x["ticks"]), where
            assert all(t["label"] for t in x["ticks"]), where
            assert_apart(x["ticks"])
            # No label sticks out of the canvas.
            assert x["ticks"][0]["px"] - x["ticks"][0]["width"] / 2 >= 0, where
            assert x["ticks"][-1]["px"] + x["ticks"][-1]["width"] / 2 <= width, where
            assert y["min"] == 0
            assert y["max"] == 27
            assert [t["value"] for t in y["ticks"]] == [0, 5, 10, 15, 20, 25], where
    assert client_page.problems == [], client_page.problems


def test_the_client_pages_charts_keep_their_text_alternatives(client_page: Any) -> None:
    for canvas in client_page.locator("canvas[data-chart]").all():
        assert canvas.get_attribute("role") == "img"
        label = canvas.get_attribute("aria-label")
        assert label
        assert "scores over time" in label
        figure = canvas.locator("xpath=ancestor::figure")
        points = len(
            client_page.evaluate(
                "id => JSON.parse(document.getElementById(id).textContent).points",
                canvas.get_attribute("data-chart"),
            )
        )
        assert figure.locator("details table tbody tr").count() == points
        chart_id = canvas.get_attribute("data-chart")
        drawn = client_page.evaluate(
            f"id => {{ {READ}; return drawn(document.querySelector(`[data-chart=${{id}}]`)); }}",
            chart_id,
        )
        assert_apart(drawn["x"]["ticks"])
        assert [t["value"] for t in drawn["y"]["ticks"]][:2] == [0, 5]
