"""The chart geometry and the devices page's grouping: pure functions, no I/O."""

from __future__ import annotations

from api.web import charts
from api.web.devices import by_year_and_department
from estate.devices.forecast import Forecast, ForecastRow
from estate.status import DeviceType


def test_axis_steps_are_round_numbers() -> None:
    assert [charts.nice_ceiling(v) for v in (0, 0.3, 1, 1.2, 2.2, 3, 7, 30, 240)] == [
        1.0,
        0.5,
        1,
        2,
        2.5,
        5,
        10,
        50,
        250,
    ]


def test_a_line_chart_scales_its_points_to_the_plot() -> None:
    chart = charts.line_chart(["1 Nov", "2 Nov", "3 Nov"], [("Left", [40, 20, 0])], baseline=30)

    assert [t.label for t in chart.y_ticks] == ["0", "10", "20", "30", "40"]
    assert chart.lines[0].points == "64.0,16.0 344.0,116.0 624.0,216.0"
    assert chart.lines[0].end == (624.0, 216.0)
    assert chart.baseline == charts.Tick(66.0, "30")
    assert [t.label for t in chart.x_ticks] == ["1 Nov", "2 Nov", "3 Nov"]


def test_one_point_sits_in_the_middle_and_long_series_thin_their_labels() -> None:
    single = charts.line_chart(["25 Nov"], [("Left", [308])])
    many = charts.line_chart([str(d) for d in range(30)], [("Left", list(range(30)))])

    assert single.lines[0].points == "344.0,62.0"
    assert [t.label for t in many.x_ticks] == ["0", "5", "10", "15", "20", "25"]


def test_bars_stand_on_the_axis() -> None:
    chart = charts.bar_chart(["2026/27", "2027/28"], [100.0, 0.0])

    assert [(b.x, b.y, b.width, b.height) for b in chart.bars] == [
        (106.0, 16.0, 196.0, 200.0),
        (386.0, 216.0, 196.0, 0.0),
    ]


def _row(year: str, quarter: str, department: str | None, count: int, cost: float) -> ForecastRow:
    return ForecastRow(
        financial_year=year,
        quarter=quarter,
        department=department,
        device_type=DeviceType.LAPTOP,
        count=count,
        cost=cost,
        uncosted=1,
    )


def test_forecast_rows_sum_per_year_and_department() -> None:
    rows = [
        _row("2026/27", "Q1", "Finance", 2, 1700.0),
        _row("2026/27", "Q3", "Finance", 1, 850.0),
        _row("2026/27", "Q2", None, 4, 0.0),
        _row("2026/27", "Q2", "Adult Social Care", 1, 700.0),
        _row("2025/26", "Q4", "Finance", 3, 2550.0),
    ]
    forecast = Forecast(rows=rows, years=[], count=11, cost=5800.0, uncosted=5, undated=0)

    assert by_year_and_department(forecast) == [
        {"year": "2025/26", "department": "Finance", "count": 3, "cost": 2550.0, "uncosted": 1},
        {
            "year": "2026/27",
            "department": "Adult Social Care",
            "count": 1,
            "cost": 700.0,
            "uncosted": 1,
        },
        {"year": "2026/27", "department": "Finance", "count": 3, "cost": 2550.0, "uncosted": 2},
        {"year": "2026/27", "department": None, "count": 4, "cost": 0.0, "uncosted": 1},
    ]
