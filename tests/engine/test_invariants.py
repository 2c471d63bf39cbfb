"""§7 invariants on generated cities (hypothesis): bounds, pool totals, monotonicity, parity."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from engine.run import employee_days, employee_month, numeric_nips
from pipelines.month.backends import Backend, engine_inputs
from tests.city import PERIOD, WEEKDAYS, base_city, compute, employee, policy

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
STATUSES = ["H", "H", "H", "H", "DL", "CT", "S", "I", "TK", None]


@st.composite
def cities(draw: st.DrawFn) -> tuple[dict[str, pl.DataFrame], Any]:
    """2–8 employees over 1–2 OPDs with random days, logs, PLT, sanctions, budget and policy."""
    n = draw(st.integers(2, 8))
    nips = [f"19800101200501{i:04d}" for i in range(n)]
    opds = ["1.01.01", "2.02.01"]
    people, attendance, logs, plt, sanctions = [], [], [], [], []
    for i, nip in enumerate(nips):
        start = draw(st.sampled_from([dt.date(2020, 1, 1), dt.date(2025, 2, 12)]))
        people.append(employee(nip, opd=opds[i % draw(st.integers(1, 2))], start=start,
                               position=draw(st.sampled_from(["P5", "P9"])),
                               status=draw(st.sampled_from(["PNS", "CPNS", "PPPK"])), golongan="III",
                               salary=draw(st.integers(0, 14_000_000))))
        for day in WEEKDAYS:
            status = draw(st.sampled_from(STATUSES))
            if status is not None:
                attendance.append({"nip": nip, "work_date": day, "status": status,
                                   "check_in": draw(st.sampled_from([None, 420, 455, 520, 600])),
                                   "check_out": draw(st.sampled_from([None, 900, 960, 1000]))})
            quantity = draw(st.integers(0, 3))
            if quantity:
                logs.append({"log_id": f"{nip}{day}", "nip": nip, "work_date": day, "quantity": quantity,
                             "activity_code": draw(st.sampled_from(["K300", "K60"])),
                             "status": draw(st.sampled_from(["approved", "approved", "submitted"]))})
        if draw(st.booleans()):
            plt.append({"nip": nip, "position_id": "P9", "start_date": dt.date(2025, 2, 20), "end_date": None})
        if draw(st.integers(0, 4)) == 0:
            sanctions.append({"nip": nip, "cut_bp": draw(st.integers(0, 10000)),
                              "start_date": dt.date(2025, 1, 1), "end_date": None})
    pagu = draw(st.integers(0, 400_000_000))
    lines = [{"fiscal_year": 2025, "revision": 0, "effective_date": dt.date(2024, 12, 1), "opd_code": o,
              "account_code": "5.1.01.02.01.0001", "pagu_rp": pagu} for o in opds]
    tables = base_city(employees=people, attendance=attendance, activity_log=logs, plt=plt,
                       sanctions=sanctions, apbd_lines=lines)
    pol = policy(allocation=draw(st.sampled_from(["scale", "share"])),
                 pool_scope=draw(st.sampled_from(["opd", "city"])),
                 productivity_rule=draw(st.sampled_from(["proportional", "threshold", "tiered"])))
    return tables, pol


@SETTINGS
@given(cities())
def test_pay_bounds_and_pool_totals(city: tuple[dict[str, pl.DataFrame], Any]) -> None:
    tables, pol = city
    result = compute(tables, pol)
    reg = result.pay_register.to_native()
    assert (reg["pay_rp"] >= 0).all() and (reg["pay_rp"] <= reg["cap_rp"]).all()
    assert (reg["entitlement_rp"] <= reg["cap_rp"]).all()
    if pol.allocation == "scale":
        assert (reg["pay_rp"] <= reg["entitlement_rp"]).all()
    for pool in result.pool_summary.rows(named=True):
        paid = reg.filter(pl.col("pool_id") == pool["pool_id"])["pay_rp"].sum()
        assert paid == pool["pay_rp"] <= pool["pool_rp"]
        if pool["binding"]:
            assert paid == pool["pool_rp"]
    assert (reg["net_rp"] <= reg["pay_rp"]).all()


@SETTINGS
@given(cities(), st.integers(0, 7), st.integers(0, len(WEEKDAYS) - 1))
def test_more_minutes_or_fewer_deductions_never_lower_entitlement(city, who: int, day: int) -> None:
    tables, pol = city
    before = compute(tables, pol).pay_register.to_native()
    nips = before["nip"].to_list()
    assume(nips)
    nip, when = nips[who % len(nips)], WEEKDAYS[day]
    that_day = (pl.col("nip") == nip) & (pl.col("work_date") == when)
    # Not a credit day: on-time H would trade the credit for its logs, not remove a deduction.
    assume(not tables["attendance"].filter(that_day & pl.col("status").is_in(list(pol.credit_statuses))).height)
    extra_log = pl.DataFrame([{"log_id": "extra", "nip": nip, "work_date": when, "activity_code": "K60",
                               "quantity": 2, "status": "approved"}], schema=tables["activity_log"].schema)
    on_time = tables["attendance"].filter(~that_day)
    on_time = pl.concat([on_time, pl.DataFrame([{"nip": nip, "work_date": when, "status": "H", "check_in": 450,
                                                 "check_out": 960}], schema=on_time.schema)])
    for changed in ({**tables, "activity_log": pl.concat([tables["activity_log"], extra_log])},
                    {**tables, "attendance": on_time}):
        after = compute(changed, pol).pay_register.to_native()
        was = before.filter(pl.col("nip") == nip).row(0, named=True)
        now = after.filter(pl.col("nip") == nip).row(0, named=True)
        assert now["entitlement_rp"] >= was["entitlement_rp"]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cities())
def test_backends_give_identical_integers(city) -> None:
    tables, pol = city
    polars_run, duckdb_run = (compute(tables, pol, backend=b) for b in Backend)
    assert polars_run.pay_register.to_native().equals(duckdb_run.pay_register.to_native())
    pools = [r.pool_summary.to_native().drop("lambda") for r in (polars_run, duckdb_run)]
    assert pools[0].equals(pools[1])


@SETTINGS
@given(cities())
def test_month_totals_equal_the_sum_of_the_days(city) -> None:
    """`employee_month` (no day grid) agrees with `employee_days` (the literal day-by-day reading)."""
    tables, pol = city
    inputs = numeric_nips(engine_inputs(tables))
    by_day = (employee_days(inputs, pol, PERIOD).collect("polars").to_native()
              .group_by("nip").agg(pl.len().alias("active_days"), pl.col("day_minutes").sum().alias("minutes"),
                                   pl.min_horizontal(pl.col("day_deduction_bp").sum(), 10000).alias("deduction_bp"))
              .sort("nip"))
    month = (employee_month(inputs, pol, PERIOD).collect("polars").to_native()
             .select(by_day.columns).sort("nip"))
    assert month.equals(by_day.cast(month.schema))
