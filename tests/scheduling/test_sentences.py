"""The progress report's sentences case by case: plurals, behind, on and without a plan, and
savings with and without a baseline."""

from __future__ import annotations

from datetime import date
from typing import Any

from estate.migration.forecast import Forecast
from estate.migration.hosting import Hosting
from estate.migration.outcomes import Figures
from estate.outbox.reports.sentences import forecast_sentence, outcomes_sentence, savings_sentence

SITE = {"id": 1, "name": "Civic Centre"}
LEFT = {"servers": 10, "rack_units": 20, "kw": 5.0}


def forecast(**fields: Any) -> Forecast:
    values = {
        "site": SITE, "on": date(2026, 11, 30), "still_to_migrate": LEFT,
        "baseline_date": None, "baseline_servers": None, "planned_exit": date(2027, 6, 30),
        "plan_note": "the last wave ends then", "trend_exit": date(2027, 9, 26),
        "trend_per_month": 1.0, "trend_note": "the rate achieved", "behind_plan_days": 88,
        "months": [],
    }  # fmt: skip
    return Forecast.model_validate(values | fields)


def test_outcomes_count_in_plain_english() -> None:
    none = outcomes_sentence(Figures())
    many = outcomes_sentence(
        Figures(workloads=52, resilient=41, flexible=30, efficient=44, oversized=1, idle=2)
    )

    assert none == "No workload has been migrated yet, so no outcome can be counted."
    assert many == (
        "41 of 52 migrated workloads are resilient, 30 flexible and 44 efficient;"
        " 1 is oversized and 2 idle."
    )


def test_the_forecast_behind_on_and_without_a_plan() -> None:
    behind = forecast_sentence(forecast())
    on_plan = forecast_sentence(forecast(trend_exit=date(2027, 5, 1), behind_plan_days=0))
    unplanned = forecast_sentence(
        forecast(planned_exit=None, behind_plan_days=None, trend_exit=None, trend_per_month=None,
                 plan_note="2 of 10 servers still to migrate have no wave with a planned end:"
                 " the plan gives no day", trend_note="not falling (10 to 10 over 30 days)")
    )  # fmt: skip
    done = forecast_sentence(forecast(still_to_migrate={"servers": 0, "rack_units": 0, "kw": 0}))

    assert behind == (
        "Civic Centre: 10 servers still to migrate (20 rack units, 5 kW). By the plan the last"
        " leaves on 30 June 2027; at the rate achieved (1 server a month) on 26 September 2027,"
        " 88 days behind plan."
    )
    assert on_plan.endswith("on 01 May 2027, on or ahead of plan.")
    assert unplanned.endswith(
        "The plan gives no day (2 of 10 servers still to migrate have no wave with a planned"
        " end); the trend gives no day yet (not falling (10 to 10 over 30 days))."
    )
    assert done == "Civic Centre: no server is still to migrate."


def test_savings_need_a_baseline_and_say_when_more_is_drawn() -> None:
    unset = Hosting.model_validate(
        {"site": SITE, "now": None, "baseline_date": None, "baseline": None,
         "difference": None, "months": []}
    )  # fmt: skip
    measures = {
        "servers": 2, "physical_servers": 2, "virtual_servers": 0, "physical_hosts": 0,
        "racks": 0, "rack_units": 2, "watts": 400.0, "access_points": None,
        "kwh_per_year": 3504.0, "cost_per_year": 876.0, "tco2e_per_year": 0.62,
    }  # fmt: skip
    grew = Hosting.model_validate(
        {"site": SITE, "now": None, "baseline_date": date(2026, 4, 1), "baseline": None,
         "difference": measures, "months": []}
    )  # fmt: skip

    assert "no baseline day is set ([migration] baseline_date)" in savings_sentence(unset)
    assert savings_sentence(grew) == (
        "Civic Centre: since the baseline (01 April 2026), 0.4 kW more drawn;"
        " 2 more servers and 2 more rack units used."
    )
