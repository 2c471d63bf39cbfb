"""§7 invariants on generated cities (hypothesis): bounds, pool totals, monotonicity, parity."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import narwhals.stable.v2 as nw
import polars as pl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from engine import PTKP_STATUSES, Policy, RunTables, tax_basis
from engine.ceiling import CRITERIA
from engine.policy import ATTENDANCE_STATUSES, ROMAN_PNS, ROMAN_PPPK, SKP_PREDIKATS
from engine.productivity import eproject_activities
from engine.run import employee_days, employee_month, numeric_nips, run_period
from pipelines.month.backends import Backend, engine_inputs
from pipelines.policies import preset_names, preset_policy
from tests.city import IN_PROCESS, PERIOD, WEEKDAYS, assert_same_run, base_city, compute, employee, policy

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
STATUSES = ["H", "H", "H", "H", "DL", "CT", "S", "I", "TK", "CB", "CLTN", "TB", None]


@st.composite
def regional_options(draw: st.DrawFn) -> dict[str, Any]:
    """§4.11 options drawn whole: weights with an SKP part, target rule, unpaid statuses, PLT
    rule and minimum, December in full, SKP mapping, activity gate and presence gates."""
    w_skp = draw(st.sampled_from([0, 0, 2000, 5000]))
    w_discipline = draw(st.integers(0, 10000 - w_skp))
    gates = sorted(draw(st.lists(st.integers(0, 100), max_size=3, unique=True)))
    gate_bps = sorted(draw(st.lists(st.integers(0, 10000), min_size=len(gates), max_size=len(gates))))
    return {
        "w_skp_bp": w_skp, "w_discipline_bp": w_discipline, "w_productivity_bp": 10000 - w_skp - w_discipline,
        "target_rule": draw(st.sampled_from(["per_day", "monthly"])),
        "target_minutes_month": draw(st.integers(60, 9000)),
        "unpaid_statuses": draw(st.lists(st.sampled_from(["CLTN", "TB", "CB", "S", "DL"]), max_size=3, unique=True)),
        "plt_min_days": draw(st.integers(0, 12)),
        "plt_rule": draw(st.sampled_from(["extra", "higher_post"])),
        "december_full": draw(st.booleans()),
        "skp_bp": {p: draw(st.integers(0, 10000)) for p in draw(st.lists(st.sampled_from(SKP_PREDIKATS), max_size=2))},
        "skp_missing_bp": draw(st.integers(0, 10000)),
        "activity_gate_pct": draw(st.sampled_from([0, 0, 50, 100])),
        "presence_gates": [{"min_pct": m, "bp": b} for m, b in zip(gates, gate_bps)],
    }


@st.composite
def cities(draw: st.DrawFn) -> tuple[dict[str, pl.DataFrame], Any]:
    """2–8 employees over 1–2 OPDs with random days, logs, PLT, sanctions, budget and policy."""
    n = draw(st.integers(2, 8))
    nips = [f"19800101200501{i:04d}" for i in range(n)]
    opds = ["1.01.01", "2.02.01"]
    people, attendance, logs, plt, sanctions, skp = [], [], [], [], [], []
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
            plt.append({"nip": nip, "position_id": "P9", "start_date": draw(st.sampled_from(WEEKDAYS)),
                        "end_date": None})
        for end in draw(st.lists(st.sampled_from([dt.date(2024, 12, 31), dt.date(2025, 1, 31),
                                                  dt.date(2025, 2, 1)]), max_size=2, unique=True)):
            skp.append({"nip": nip, "period_end": end, "predikat": draw(st.sampled_from(SKP_PREDIKATS))})
        if draw(st.integers(0, 4)) == 0:
            sanctions.append({"nip": nip, "cut_bp": draw(st.integers(0, 10000)),
                              "start_date": dt.date(2025, 1, 1), "end_date": None})
    pagu = draw(st.integers(0, 400_000_000))
    lines = [{"fiscal_year": 2025, "revision": 0, "effective_date": dt.date(2024, 12, 1), "opd_code": o,
              "account_code": "5.1.01.02.01.0001", "pagu_rp": pagu} for o in opds]
    tables = base_city(employees=people, attendance=attendance, activity_log=logs, plt=plt,
                       sanctions=sanctions, apbd_lines=lines, skp=skp)
    pol = policy(allocation=draw(st.sampled_from(["scale", "share"])),
                 pool_scope=draw(st.sampled_from(["opd", "city"])),
                 productivity_rule=draw(st.sampled_from(["proportional", "threshold", "tiered"])),
                 **draw(regional_options()))
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
    # Not a credit day: on-time H would trade the credit for its logs, not remove a deduction; nor an
    # unpaid day: H would add an active day (and its target), not remove a deduction.
    skipped = [*pol.credit_statuses, *pol.unpaid_statuses]
    assume(not tables["attendance"].filter(that_day & pl.col("status").is_in(skipped)).height)
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


# One run per shape: every value of every policy switch that changes the engine's plan, and every
# allocation × pool scope pair (productivity rule, allocation, pool scope, PPh 21 regime).
SHAPES = [
    ("proportional", "scale", "opd", "final_golongan"),
    ("threshold", "share", "opd", "borne"),
    ("tiered", "scale", "city", "borne"),
    ("tiered", "share", "city", "final_golongan"),
]
TER_SHAPE = ("proportional", "share", "opd", "ter")
"""PPh 21 under TER with extra payments (SPEC §4.9, §4.10): the month has a THR, some employees are in
their last month, with a year to date."""


@pytest.mark.parametrize(("rule", "allocation", "scope", "pph21"), [*SHAPES, TER_SHAPE])
def test_backends_give_identical_integers(rule: str, allocation: str, scope: str, pph21: str) -> None:
    """Polars and DuckDB give the same pay register, pool summary and budget check: every
    column of every row, λ included, compared exactly.

    Why four runs are as strong as the fifteen hypothesis cities they replace: a DuckDB run
    costs about two seconds whatever its size (building the plan, not reading the rows), while
    the cases a run compares are its rows and pools. A hypothesis city held 2–8 employees in one
    or two pools, with the policy at the spec defaults but for three switches. Each run here is
    one wide city (:func:`wide_city`), some forty employees in six pools, holding at once what
    those cities held one or two at a time, and more: pools empty, short, about right, ample,
    without a budget line, and large enough that the allocation's products pass Int64;
    employees joining, leaving, never active in the month, never attending (deductions capped),
    with zero entitlement, of all three statuses; every attendance status, clock times on
    and beside every band edge and missing; logs of every status and of an unknown code, on
    weekends, holidays and other months; e-Project milestones, some already logged with their
    package; PLT decrees, stacked sanctions, budget revisions and SP2D. Its policy is drawn
    whole: schedule, bands, tiers, caps, credits, weights and rates. The four shapes give every
    value of every switch that changes the engine's plan, and every allocation × pool scope
    pair; a fifth runs PPh 21 under TER with an extra payment in the month, PTKP statuses of all
    three categories, pensions and a year to date, leavers in their last month (true-ups both
    ways). :func:`_exercised` fails the test when a city stops reaching what this promises; the
    seeds are fixed, so a failure reproduces.
    """
    rng = random.Random(f"parity-{rule}-{allocation}-{scope}-{pph21}")
    pol = wide_policy(rng, productivity_rule=rule, allocation=allocation, pool_scope=scope, pph21=pph21)
    tables = wide_city(rng, pol)
    runs = {backend: run_period(engine_inputs(tables, backend), pol, PERIOD, "parity") for backend in IN_PROCESS}
    _exercised(runs[Backend.POLARS], tables, pol)
    assert_same_run(runs[Backend.DUCKDB], runs[Backend.POLARS], Backend.DUCKDB)


@pytest.mark.parametrize("preset", preset_names())
def test_every_preset_gives_identical_integers_on_both_backends(preset: str) -> None:
    """Each region's preset on a wide city (with SKP ratings, CB, CLTN and TB days and PLT
    decrees of every length): polars and DuckDB give the same tables, value for value."""
    pol = preset_policy(preset, PERIOD)
    tables = wide_city(random.Random(f"preset-{preset}"), pol)
    runs = {backend: run_period(engine_inputs(tables, backend), pol, PERIOD, "parity") for backend in IN_PROCESS}
    reg = runs[Backend.POLARS].pay_register.to_native()
    assert reg.height > 10 and (reg["pay_rp"] > 0).any()
    assert_same_run(runs[Backend.DUCKDB], runs[Backend.POLARS], Backend.DUCKDB)


def _exercised(run: RunTables, tables: dict[str, pl.DataFrame], pol: Policy) -> None:
    """The wide city reaches the cases the parity test claims to compare."""
    reg, pools = run.pay_register.to_native(), run.pool_summary.to_native()
    assert 0 < reg.height < tables["employees"].height  # some employees are not in the month
    for column in ("proration_bp", "deduction_bp", "score_bp", "cut_bp", "plt_extra_rp", "pay_rp", "net_rp"):
        assert reg[column].n_unique() > 2, column
    assert reg["productivity_bp"].n_unique() > (1 if pol.productivity_rule == "threshold" else 2)
    assert (reg["deduction_bp"] == 10000).any() and (reg["entitlement_rp"] == 0).any() and (reg["pay_rp"] > 0).any()
    assert reg["status"].n_unique() == 3
    if pol.pool_scope == "opd":
        assert pools["binding"].n_unique() == 2 and (pools["pool_rp"] == 0).any()
    else:
        assert pools["binding"].all()
    target = pools.select("pool_id", pl.min_horizontal("pool_rp", "entitlement_rp").cast(pl.Int128).alias("target"))
    shares = reg.join(target, on="pool_id")
    assert (shares["entitlement_rp"] * shares["target"] > 2**63 - 1).any()  # the allocation needs Int128
    inputs = numeric_nips(engine_inputs(tables))
    logged = inputs.referenced_logs
    made = [len(eproject_activities(inputs.milestones, inputs.assignments, inputs.activity_map, refs, PERIOD)
                .collect("polars")) for refs in (logged.head(0), logged)]
    assert made[0] > made[1] > 0  # e-Project activities generated, some already logged with their package
    if pol.pph21.ter:
        assert (reg["extra_rp"] > 0).any() and reg["extra_kind"].n_unique() == 1
        assert reg["ptkp_status"].n_unique() >= 6 and (reg["pension_rp"] > 0).any()
        last = tax_basis(inputs, PERIOD).filter(nw.col("last_month")).collect("polars").to_native()
        leavers = reg.with_columns(pl.col("nip").cast(pl.Int64)).join(last, on="nip")
        assert (leavers["pph21_rp"] < 0).any() and (leavers["pph21_rp"] > 0).any()  # true-ups both ways


def wide_policy(rng: random.Random, **switches: str) -> Policy:
    """A policy version with every number drawn (the switches given)."""
    start = rng.randrange(360, 541)
    end = start + rng.randrange(300, 601)

    def steps(key: str, lowest: int, highest: int, bp: int, fewest: int) -> list[dict[str, int]]:
        at = sorted(rng.sample(range(lowest, highest), rng.randint(fewest, 5)))
        bps = sorted(rng.randrange(0, bp + 1) for _ in at)
        return [{key: a, "bp": b} for a, b in zip(at, bps)]

    w_discipline = rng.randrange(0, 10001)
    minutes_per_day = rng.randrange(60, 421)
    ter = switches.get("pph21", "").startswith("ter")
    extras = [{"period": str(PERIOD), "kind": "thr", "bp": rng.randrange(1, 10001)},
              {"period": "2025-06", "kind": "gaji13", "bp": 10000}] if ter else []
    return policy(
        **switches, extra_payments=extras,
        minutes_per_day=minutes_per_day, daily_cap_minutes=minutes_per_day + rng.randrange(0, 241),
        credit_statuses=rng.sample(ATTENDANCE_STATUSES, rng.randint(0, 4)),
        credit_minutes_per_day=rng.randrange(0, 481),
        productivity_tiers=steps("min_pct_of_target", 0, 151, 10000, 2),
        schedule={"start": f"{start // 60:02d}:{start % 60:02d}", "end": f"{end // 60:02d}:{end % 60:02d}"},
        tl_psw_bands=steps("min_minutes", 1, 181, 400, 1),
        status_deduction_bp={s: rng.randrange(0, 1001) for s in rng.sample(ATTENDANCE_STATUSES, 4)}
        | {"TK": rng.randrange(700, 2001)},
        w_discipline_bp=w_discipline, w_productivity_bp=10000 - w_discipline,
        status_bp={s: rng.randrange(0, 10001) for s in ("PNS", "CPNS", "PPPK")},
        plt_bp=rng.randrange(0, 10001),
        bpjs_ceiling_rp=rng.choice([12_000_000, rng.randrange(0, 20_000_001)]),
        bpjs_employee_bp=rng.randrange(0, 501), bpjs_employer_bp=rng.randrange(0, 1001),
        pph21_rate_bp={"PNS": {g: rng.randrange(0, 3001) for g in ("I", "II", "III", "IV")},
                       "PPPK": {"IX": rng.randrange(0, 3001)}},
    )


def drawn_regional_options(rng: random.Random, pol: Policy) -> Policy:
    """``pol`` with every §4.11 option drawn (weights with an SKP part taken from the others)."""
    w_skp = rng.choice([2000, rng.randrange(0, 10001)])
    w_discipline = pol.w_discipline_bp * (10000 - w_skp) // 10000
    gates = sorted(rng.sample(range(0, 101), rng.randint(1, 3)))
    gate_bps = sorted(rng.sample(range(0, 10001), len(gates)))
    return pol.with_changes(
        w_skp_bp=w_skp, w_discipline_bp=w_discipline, w_productivity_bp=10000 - w_skp - w_discipline,
        target_rule="monthly", target_minutes_month=rng.randrange(60, 9001),
        unpaid_statuses=rng.sample(["CB", "CLTN", "TB", "S", "DL"], rng.randint(1, 3)),
        plt_min_days=rng.randrange(0, 15), plt_rule="higher_post", december_full=True,
        skp_bp={p: rng.randrange(0, 10001) for p in rng.sample(SKP_PREDIKATS, 2)},
        skp_missing_bp=rng.randrange(0, 10001), activity_gate_pct=rng.randrange(1, 101),
        presence_gates=[{"min_pct": m, "bp": b} for m, b in zip(gates, gate_bps)],
    )


@pytest.mark.parametrize("shape", SHAPES[:2], ids=lambda shape: "-".join(shape))
def test_regional_options_give_identical_integers_on_both_backends(shape: tuple[str, str, str, str]) -> None:
    """Every §4.11 option switched on with drawn values, over a parity city of :data:`SHAPES`: polars
    and DuckDB give the same tables (December in full is on, but February is not December)."""
    rule, allocation, scope, pph21 = shape
    rng = random.Random(f"parity-{rule}-{allocation}-{scope}-{pph21}")
    base = wide_policy(rng, productivity_rule=rule, allocation=allocation, pool_scope=scope, pph21=pph21)
    tables = wide_city(rng, base)
    pol = drawn_regional_options(random.Random(f"regional-{shape}"), base)
    runs = {backend: run_period(engine_inputs(tables, backend), pol, PERIOD, "parity") for backend in IN_PROCESS}
    reg = runs[Backend.POLARS].pay_register.to_native()
    assert (reg["active_days"] < reg["working_days"]).any() and (reg["pay_rp"] > 0).any()
    assert_same_run(runs[Backend.DUCKDB], runs[Backend.POLARS], Backend.DUCKDB)


ROLES = {("PPK", "KONTRAK"): "EPR", ("PPTK", "KONTRAK"): "K60", ("PPK", "PHO"): "K300", ("PPTK", "PHO"): "EPR"}


def wide_city(rng: random.Random, pol: Policy) -> dict[str, pl.DataFrame]:
    """February 2025 in six OPDs of 1–12 employees each, drawn from ``rng`` around ``pol``'s schedule."""
    month = [PERIOD.first_day + dt.timedelta(d) for d in range(PERIOD.last_day.day)]
    around = [dt.date(2025, 1, 31), dt.date(2025, 3, 3)]
    holidays = rng.sample(WEEKDAYS, 2)
    tpp, gaji = "5.1.01.02.01.0001", "5.1.01.01.01.0001"
    kelas = [{"kelas": k, "basic_rp": rng.randrange(500_000, 40_000_001)} for k in range(1, 17)]
    kelas.append({"kelas": 17, "basic_rp": 5_000_000_000})  # entitlement × pool beyond Int64
    positions = [{"position_id": f"P{p}", "opd_code": "1.01.01", "name": "x", "kelas": rng.randint(1, 16),
                  **{f"{c}_bp": rng.choice([0, rng.randrange(0, 10001)]) for c in CRITERIA}} for p in range(8)]
    positions[0] |= {"kelas": 17, "bk_bp": 6000, "kk_bp": 2000}
    edges = [0, 1, 30, 31, 60, 61, 90, 91, 180]
    people, attendance, activity, plt, sanctions, lines, sp2d = [], [], [], [], [], [], []
    packages, assignments, milestones = [], [], []
    for d in range(6):
        opd = f"{d + 1}.0{d % 3 + 1}.01"
        nips = [f"19800101200501{d}{i:03d}" for i in range(rng.randint(1, 12))]
        for i, nip in enumerate(nips):
            giant = d >= 3 and i == 0  # in the ample pools: the allocation's products pass Int64
            status = rng.choice(["PNS", "CPNS", "PPPK"])
            grades = ROMAN_PPPK if status == "PPPK" else ROMAN_PNS
            people.append(employee(
                nip, opd=opd, position="P0" if giant else rng.choice(positions)["position_id"], status=status,
                golongan=rng.choice(grades), salary=rng.choice([0, rng.randrange(0, 14_000_001), 11_900_000]),
                start=rng.choice([dt.date(2020, 1, 1), dt.date(2020, 1, 1), PERIOD.first_day, rng.choice(month),
                                  around[1]]),
                end=None if giant else rng.choice([None, None, None, rng.choice(month), around[0], PERIOD.last_day])))
            presence, diligence = rng.choice([0.95, 0.9, 0.6, 0.0]), rng.choice([0.4, 1, 1.6])
            for day in month + around:
                if rng.random() < presence:
                    begin, leave = pol.schedule_start_min, pol.schedule_end_min
                    attendance.append({
                        "nip": nip, "work_date": day,
                        "status": rng.choice(["H"] * 8 + list(ATTENDANCE_STATUSES)),
                        "check_in": rng.choice([None, begin + rng.choice(edges), begin - rng.randrange(0, 120),
                                                rng.randrange(0, 1440)]),
                        "check_out": rng.choice([None, leave - rng.choice(edges), leave + rng.randrange(0, 120),
                                                 rng.randrange(0, 1440)])})
                for n in range(round(diligence * rng.choice([0, 1, 1, 2, 3]))):
                    activity.append({"log_id": f"{nip}-{day}-{n}", "nip": nip, "work_date": day,
                                     "activity_code": rng.choice(["K300", "K300", "K60", "EPR", "X999"]),
                                     "quantity": rng.randrange(0, 5),
                                     "status": rng.choice(["approved"] * 4 + ["submitted", "rejected"])})
            if rng.random() < 0.3:
                plt.append({"nip": nip, "position_id": rng.choice(positions)["position_id"],
                            "start_date": rng.choice(month + around), "end_date": rng.choice([None, *month, *around])})
            for _ in range(rng.choice([0, 0, 0, 1, 2])):
                sanctions.append({"nip": nip, "cut_bp": rng.choice([10000, rng.randrange(0, 10001)]),
                                  "start_date": rng.choice([dt.date(2024, 12, 1), *month, around[1]]),
                                  "end_date": rng.choice([None, around[0], *month])})
        for k in range(rng.randint(0, 2)):
            package = f"PKG{d}{k}"
            packages.append({"package_id": package, "fiscal_year": 2025, "opd_code": opd, "name": "x",
                             "value_rp": 1, "start_date": dt.date(2025, 1, 1)})
            for nip in rng.sample(nips, min(len(nips), 3)):
                role = rng.choice(["PPK", "PPTK", "PPHP"])
                assignments.append({"package_id": package, "nip": nip, "role": role})
                for code in ("KONTRAK", "PHO"):
                    if (role, code) in ROLES and rng.random() < 0.3:  # already logged with the package ref
                        activity.append({"log_id": f"{nip}-{package}-{code}", "nip": nip, "work_date": WEEKDAYS[4 * k],
                                         "activity_code": ROLES[role, code], "quantity": 1, "status": "approved",
                                         "ref": package})
            milestones += [{"package_id": package, "milestone_code": code, "completed_date": when}
                           for code, when in (("KONTRAK", WEEKDAYS[4 * k]), ("PHO", rng.choice(month + around)))]
        # TPP pagu: zero, short, about right, ample, none at all; the city pool falls short of the giants.
        ample = (10**12, 10**15) if pol.pool_scope == "opd" else (10**10, 3 * 10**10)
        regime = [0, rng.randrange(0, 50_000_000), rng.randrange(0, 400_000_000), *ample, None][d]
        if regime is not None:  # revision 1 is in force: not 0 before it, nor 2 from tomorrow, nor last year's
            lines += [_line(opd, 2025, 0, dt.date(2024, 12, 20), tpp, 2 * regime),
                      _line(opd, 2025, 1, PERIOD.first_day, tpp, regime),
                      _line(opd, 2025, 1, PERIOD.first_day, gaji, 10 * regime + 1),
                      _line(opd, 2025, 2, dt.date(2025, 2, 2), tpp, 3 * regime),
                      _line(opd, 2024, 3, dt.date(2024, 1, 1), tpp, 7)]
        sp2d += [{"sp2d_no": f"{d}-{n}", "sp2d_date": dt.date(2025, 1, 28), "fiscal_year": 2025, "opd_code": opd,
                  "account_code": rng.choice([tpp, tpp, gaji]), "period": rng.choice(["2025-01", "2025-02"]),
                  "gross_rp": rng.randrange(0, 30_000_000), "status": rng.choice(["paid", "paid", "cancelled"])}
                 for n in range(rng.randint(0, 3))]
    ends = [dt.date(2024, 9, 30), dt.date(2024, 12, 31), PERIOD.first_day]
    skp = [{"nip": p["nip"], "period_end": end, "predikat": rng.choice(SKP_PREDIKATS)}
           for p in people for end in rng.sample(ends, rng.randint(0, 3))]
    tax = random.Random(pol.fingerprint)  # apart from ``rng``: the other shapes' cities stay as they were
    ptkp = [None, *PTKP_STATUSES]
    for person in people:
        person |= {"ptkp_status": tax.choice(ptkp), "pension_rp": tax.choice([None, 0, tax.randrange(0, 2_000_000)])}
    ytd = [{"nip": person["nip"], "fiscal_year": year, "months": tax.randrange(0, 12),
            "salary_rp": tax.randrange(0, 200_000_000), "tpp_rp": tax.choice([tax.randrange(0, 10**9), 10**15]),
            "pph21_rp": tax.randrange(0, 400_000_000), "pension_rp": tax.randrange(0, 20_000_000)}
           for person in people for year in (2024, 2025) if tax.random() < 0.6]
    return base_city(
        skp=skp,
        pph21_ytd=ytd,
        kelas=kelas, positions=positions, employees=people, attendance=attendance, activity_log=activity, plt=plt,
        sanctions=sanctions, apbd_lines=lines, sp2d=sp2d, packages=packages, assignments=assignments,
        milestones=milestones, calendar=[{"date": h, "kind": "holiday"} for h in holidays],
        activity_map=[{"role": r, "milestone_code": m, "activity_code": a} for (r, m), a in ROLES.items()])



def _line(opd: str, year: int, revision: int, effective: dt.date, account: str, pagu: int) -> dict[str, Any]:
    return {"fiscal_year": year, "revision": revision, "effective_date": effective, "opd_code": opd,
            "account_code": account, "account_name": "x", "pagu_rp": pagu}

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
