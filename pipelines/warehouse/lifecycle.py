"""HR's month in the warehouse: runs, draft → approved → locked, unlock, corrections (rapel).

A period's runs move draft → approved → locked. A new run of a period replaces its draft
(the old one is kept as ``superseded``); an approved or locked period is not recomputed. Data
that arrives for a locked period is paid by :func:`adjust`: the period recomputed on today's
inputs, per employee the difference against what was locked.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import narwhals.stable.v2 as nw
import polars as pl

from engine import (
    REGISTER_COLUMNS,
    SOURCES,
    Period,
    Policy,
    RunTables,
    budget_accounts,
    budget_check,
    corrected_pay,
    corrected_pools,
    in_last_month,
    inputs_digest,
    locked_rates,
    run_id_of,
    tax_basis,
)
from pipelines.month.backends import Backend, engine_inputs
from pipelines.month.run import Month, manifest_of, month_of, outputs_of, parse_policy, run_folder
from pipelines.numbers import wib
from pipelines.progress import stage
from pipelines.sources import CONTRACTS
from pipelines.sources.readers import DataDir, FileLoad, InputError
from pipelines.warehouse import ledger
from pipelines.warehouse.store import BUDGET_TABLES, Refused, RunStatus, Warehouse, kept_outputs, store_outputs
from pipelines.warehouse.ytd import YTD_PATH, year_holes, year_to_date

ADJUSTED_FIELDS = ("entitlement_rp", "pay_rp", "extra_rp", "bpjs_employee_rp", "pph21_rp", "net_rp")
"""The register columns an adjustment compares, in the order ``adjustment.csv`` lists them."""
PERSONAL_TABLES = ("employees", "plt", "sanctions", "skp", "activity_log", "attendance", "assignments", "pph21_ytd")
SHARED_TABLES = tuple(n for n in SOURCES if n not in PERSONAL_TABLES and n not in BUDGET_TABLES)
"""The pay inputs shared by everyone (positions, catalogue, calendar…): a change may move anyone."""
"""Inputs whose rows belong to one employee (by ``nip``)."""


@dataclasses.dataclass(frozen=True)
class KeptRun:
    """One run kept in the warehouse."""

    run_id: str
    period: str
    status: RunStatus
    """An adjustment is only ever a draft."""
    at: str
    by: str
    watermark: int
    fingerprint: str
    adjusts: str | None
    """The locked run an adjustment corrects; empty for a run."""

    @property
    def kind(self) -> str:
        return "adjustment" if self.adjusts else "run"


_RUN_COLUMNS = ('run_id, period, status, strftime("at", \'%Y-%m-%d %H:%M:%S\'), "by", watermark, fingerprint, '
                'adjusts')


def kept_runs(wh: Warehouse, period: str | None = None) -> list[KeptRun]:
    """Every run (of ``period``), oldest first."""
    rows = wh.rows(f'select {_RUN_COLUMNS} from runs where ? is null or period = ? order by "at", run_id',
                   [period, period])
    return [_run(row) for row in rows]


def kept_run(wh: Warehouse, run_id: str) -> KeptRun:
    return _run(wh.rows(f"select {_RUN_COLUMNS} from runs where run_id = ?", [run_id])[0])


def _run(row: tuple[object, ...]) -> KeptRun:
    run_id, period, status, at, by, watermark, fingerprint, adjusts = row
    return KeptRun(str(run_id), str(period), RunStatus(str(status)), str(at), str(by), int(str(watermark)),
               str(fingerprint), None if adjusts is None else str(adjusts))


def kept_manifest(wh: Warehouse, run_id: str) -> dict[str, object]:
    """The manifest a run was kept with."""
    manifest: dict[str, object] = json.loads(str(wh.rows("select manifest from runs where run_id = ?", [run_id])[0][0]))
    return manifest


def current_run(wh: Warehouse, period: Period) -> KeptRun | None:
    """The period's run that counts: the one not superseded (draft, approved or locked; a period
    has at most one, since a new run supersedes the draft and is refused otherwise)."""
    kept = [r for r in kept_runs(wh, str(period)) if r.kind == "run" and r.status != RunStatus.SUPERSEDED]
    return kept[-1] if kept else None


def kept_run_of(wh: Warehouse, period: Period, run_id: str | None = None) -> KeptRun:
    """The run ``run_id`` of ``period``, else the period's run that counts (:func:`counted_run`)."""
    if run_id is None:
        return counted_run(wh, period)
    found = [r for r in kept_runs(wh, str(period)) if r.run_id == run_id]
    if not found:
        raise Refused(f"{period} has no run {run_id}; `eperf runs --period {period}` lists its runs")
    return found[0]


def counted_run(wh: Warehouse, period: Period) -> KeptRun:
    """:func:`current_run`, refused when the period has none."""
    current = current_run(wh, period)
    if current is None:
        raise Refused(f"{period} has no run yet; compute it first with `eperf run --period {period}`")
    return current


def locked_run(wh: Warehouse, period: Period, purpose: str) -> KeptRun:
    """The period's locked run, refused (saying ``purpose`` needs it) when it is not locked."""
    current = current_run(wh, period)
    if current is None or current.status != RunStatus.LOCKED:
        state = "it has no run yet" if current is None else f"its run is {current.status}"
        raise Refused(f"{period} is not locked ({state}): {purpose} works on the locked run; run, approve and "
                      f"lock it first (`eperf lock --period {period}`)")
    return current


def keep_draft(wh: Warehouse, period: Period, backend: Backend = Backend.POLARS) -> tuple[KeptRun, Month, bool]:
    """Compute ``period`` from the warehouse and keep it as the period's draft.

    Returns the run, the month and whether the run is new (False: the same inputs, policy and
    code as the current draft; its outputs are recomputed and identical)."""
    previous = current_run(wh, period)
    if previous is not None and previous.status in (RunStatus.APPROVED, RunStatus.LOCKED):
        late = (f"`eperf adjust --period {period} --out DIR` to pay late data as a correction, or "
                if previous.status == RunStatus.LOCKED else "")
        raise Refused(f"{period} is {previous.status} (run {previous.run_id}) and cannot be recomputed; use "
                      f"{late}`eperf unlock --period {period} --reason TEXT` first")
    watermark = wh.watermark()
    fingerprint = _fingerprint(wh, period, watermark)
    run_id = run_id_of(period, fingerprint)
    month = _compute(wh, period, watermark, run_id, backend)
    new = previous is None or previous.run_id != run_id
    if new and previous is not None:
        wh.rows("update runs set status = ? where run_id = ?", [RunStatus.SUPERSEDED.value, previous.run_id])
    kept = _keep(wh, month, period, watermark, fingerprint, None, backend)
    wh.record("run", str(period), run_id, new=new, watermark=watermark, totals=manifest_of(month, period)["totals"])
    return kept, month, new


def approve(wh: Warehouse, period: Period, correction: bool = False) -> KeptRun:
    """The period's draft (or, with ``correction``, its latest correction) becomes approved, if
    its inputs have not changed since it was computed."""
    if correction:
        locked, draft = current_correction(wh, period, "approving a correction")
        _expect(draft, RunStatus.DRAFT, "approve")
        if _fingerprint(wh, period, wh.watermark(), budget_as_of=locked.watermark) != draft.fingerprint:
            raise Refused(f"inputs for {period} changed since correction {draft.run_id}; run `eperf adjust "
                          f"--period {period} --out DIR` again and approve that one")
        return _set_status(wh, draft, RunStatus.APPROVED, "approve")
    draft = _current(wh, period, RunStatus.DRAFT, "approve")
    if _fingerprint(wh, period, wh.watermark()) != draft.fingerprint:
        raise Refused(f"inputs for {period} changed since run {draft.run_id}; run `eperf run --period {period}` "
                      "again and approve that run")
    return _set_status(wh, draft, RunStatus.APPROVED, "approve")


def lock(wh: Warehouse, period: Period, correction: bool = False) -> KeptRun:
    """The period's approved run (or, with ``correction``, its approved correction) becomes
    locked: final, to be paid, never recomputed."""
    if correction:
        approved = current_correction(wh, period, "locking a correction")[1]
        _expect(approved, RunStatus.APPROVED, "lock")
        return _set_status(wh, approved, RunStatus.LOCKED, "lock")
    return _set_status(wh, _current(wh, period, RunStatus.APPROVED, "lock"), RunStatus.LOCKED, "lock")


def _expect(run: KeptRun, status: RunStatus, action: str) -> None:
    if run.status != status:
        raise Refused(f"cannot {action} correction {run.run_id}: it is {run.status}, and {action} needs "
                      f"{'a draft' if status == RunStatus.DRAFT else 'an approved one'}")


@dataclasses.dataclass(frozen=True)
class Unlocked:
    """What an unlock did: the run back to draft from ``was``, with the corrections of it it
    superseded."""

    run: KeptRun
    was: RunStatus
    reason: str
    superseded: tuple[KeptRun, ...]


def unlock(wh: Warehouse, period: Period, reason: str) -> Unlocked:
    """A locked or approved period goes back to draft, with the reason recorded; its
    corrections are superseded. A period with a payment is refused: a change after payment is a
    correction against what was paid (:mod:`pipelines.warehouse.ledger`)."""
    if not reason.strip():
        raise Refused("an unlock needs a reason (--reason TEXT): it is kept in the audit trail")
    current = current_run(wh, period)
    if current is None or current.status not in (RunStatus.APPROVED, RunStatus.LOCKED):
        raise Refused(f"{period} is not approved or locked; there is nothing to unlock")
    paid = ledger.payments(wh, period)
    if paid:
        raise Refused(f"{period} has been paid ({', '.join(p.payment_id for p in paid)}, bank file of "
                      f"{wib(paid[0].at)}): "
                      "a paid month is never unlocked and computed again; late data after a payment is a correction "
                      f"against what was paid: `eperf adjust --period {period} --out DIR`, then approve, lock and "
                      f"pay it with `eperf bankfile --period {period} --correction --out FILE`")
    dropped = tuple(corrections(wh, current))  # they correct a run that may now change
    for run in dropped:
        wh.rows("update runs set status = ? where run_id = ?", [RunStatus.SUPERSEDED.value, run.run_id])
    draft = _set_status(wh, current, RunStatus.DRAFT, "unlock", reason=reason.strip(),
                        superseded=[r.run_id for r in dropped])
    return Unlocked(draft, current.status, reason.strip(), dropped)


def _current(wh: Warehouse, period: Period, status: RunStatus, action: str) -> KeptRun:
    current = counted_run(wh, period)
    if current.status != status:
        needs = {"approve": "a draft", "lock": "an approved run"}[action]
        hint = f"; approve it first with `eperf approve --period {period}`" if action == "lock" and \
            current.status == RunStatus.DRAFT else ""
        raise Refused(f"cannot {action} {period}: its run {current.run_id} is {current.status}, "
                      f"and {action} needs {needs}{hint}")
    return current


def _set_status(wh: Warehouse, target: KeptRun, status: RunStatus, action: str, **detail: object) -> KeptRun:
    wh.rows("update runs set status = ? where run_id = ?", [status.value, target.run_id])
    wh.record(action, target.period, target.run_id, **{"from": target.status.value, "to": status.value}, **detail)
    return dataclasses.replace(target, status=status)


@dataclasses.dataclass(frozen=True)
class Adjustment:
    """A correction of a locked period: the adjustment run and its per-employee differences."""

    run: KeptRun
    locked: KeptRun
    rows: pl.DataFrame
    """``nip, field, locked, now, delta_rp, reason`` (only fields that changed)."""
    superseded: tuple[KeptRun, ...] = ()
    """The unpaid corrections this one replaces (it holds what they changed)."""

    @property
    def payable_rp(self) -> int:
        """Σ of the net pay to pay out: the positive net deltas."""
        return int(self.rows.filter(pl.col("field") == "net_rp")["delta_rp"].clip(lower_bound=0).sum())

    @property
    def recovered_rp(self) -> int:
        """Σ of the net pay to recover: the negative net deltas, as a positive amount."""
        return int(-self.rows.filter(pl.col("field") == "net_rp")["delta_rp"].clip(upper_bound=0).sum())


def adjust(wh: Warehouse, period: Period, backend: Backend = Backend.POLARS) -> Adjustment:
    """Recompute a locked period on today's inputs and compare it with what was paid (the run
    or correction the period's last payment paid, else the locked run: :func:`paid_base`).

    The pool is the one locked: the APBD lines and SP2D are taken as they were at the lock
    (an SP2D paid since, such as the month's own, must not shrink the month's budget). Positive
    deltas are payable, negative ones recovered (docs/decisions.md). Every correction not yet
    paid, locked or not, is superseded: the new one holds what it changed. A correction that
    changes no one's pay and supersedes nothing is refused: there is nothing new to correct."""
    locked = locked_run(wh, period, "a correction (rapel; a draft is simply run again)")
    correction = _correction(wh, period, locked, backend)
    standing = corrections(wh, locked)
    same = [r for r in standing if r.run_id == correction.month.run_id]
    if same and same[0].status != RunStatus.DRAFT:
        raise Refused(f"nothing changed for {period} since correction {same[0].run_id}, which is {same[0].status}; "
                      "there is nothing new to correct")
    paid = paid_runs(wh, period)
    superseded = tuple(r for r in standing if r.run_id not in paid and r.run_id != correction.month.run_id)
    if correction.rows.is_empty() and not superseded:
        raise Refused(f"no one's pay for {period} changes against what was paid ({paid_base(wh, locked).run_id}); "
                      "there is nothing new to correct")
    for unpaid in superseded:  # this one holds them: it compares with what was paid
        wh.rows("update runs set status = ? where run_id = ?", [RunStatus.SUPERSEDED.value, unpaid.run_id])
    kept = _keep(wh, correction.month, period, correction.watermark, correction.fingerprint, locked.run_id, backend)
    done = Adjustment(kept, locked, correction.rows, superseded)
    wh.record("adjust", str(period), kept.run_id, adjusts=locked.run_id, employees=done.rows["nip"].n_unique(),
              payable_rp=done.payable_rp, recovered_rp=done.recovered_rp,
              superseded=[r.run_id for r in superseded])
    return done


@dataclasses.dataclass(frozen=True)
class Correction:
    """A locked period recomputed on today's inputs (its budget as of the lock), not kept."""

    month: Month
    watermark: int
    fingerprint: str
    rows: pl.DataFrame
    """``nip, field, locked, now, delta_rp, reason`` (only fields that changed)."""


def _correction(wh: Warehouse, period: Period, locked: KeptRun, backend: Backend = Backend.POLARS) -> Correction:
    """The locked month corrected (:mod:`engine.correction`): the employees whose own inputs
    changed since the lock, or whose entitlement, cap, pool or status a shared input changed, are
    recomputed on today's inputs and paid at their pool's locked rate; everyone else keeps the
    locked pay."""
    watermark = wh.watermark()
    fingerprint = _fingerprint(wh, period, watermark, budget_as_of=locked.watermark)
    month = _compute(wh, period, watermark, run_id_of(period, fingerprint, "adj"), backend,
                     budget_as_of=locked.watermark)
    kept = kept_outputs(wh, locked.run_id)
    base = paid_base(wh, locked)
    was = kept_outputs(wh, base.run_id)["pay_register"]
    tables = {name: frame.collect() for name, frame in month.data.tables.items()}
    touched, corrected, rows = _corrected(wh, period, base, kept, was, tables, month.result.pay_register.to_native(),
                                          month.policy, backend)
    register = pl.concat([was.filter(~pl.col("nip").is_in(touched)), corrected.select(was.columns)]).sort("nip")
    pools = corrected_pools(nw.from_native(register), nw.from_native(kept["pool_summary"]),
                            month.result.pool_summary)
    inputs = engine_inputs(month.data.tables, backend)
    accounts = budget_accounts(inputs.apbd_lines, inputs.sp2d, month.policy, period)
    result = RunTables(nw.from_native(register).with_columns(nw.lit(month.run_id).alias("run_id")).select(
        *REGISTER_COLUMNS), pools, budget_check(pools, accounts, inputs.apbd_lines, period))
    return Correction(dataclasses.replace(month, result=result), watermark, fingerprint, rows)


def _corrected(wh: Warehouse, period: Period, base: KeptRun, kept: dict[str, pl.DataFrame], was: pl.DataFrame,
               tables: dict[str, pl.DataFrame], now: pl.DataFrame, policy: Policy, backend: Backend = Backend.POLARS,
               nip: str | None = None) -> tuple[pl.Series, pl.DataFrame, pl.DataFrame]:
    """Who a correction recomputes (``touched``: own inputs changed since ``base``, the run last
    paid, or entitlement, cap, pool or status moved), their rows paid at the locked run's rates
    (``kept``: its outputs), and :func:`adjust`'s rows for them against ``was`` (what was paid).
    ``tables`` and ``now`` are today's inputs and register (of ``nip`` only, when given)."""
    own, shared = _reasons(wh, period, base.watermark, nip)
    key = ["nip", "pool_id", "status", "entitlement_rp", "cap_rp"]
    moved = pl.concat([now.select(key).join(was.select(key), on=key, how="anti", nulls_equal=True),
                       was.select(key).join(now.select(key), on=key, how="anti", nulls_equal=True)])
    touched = pl.concat([own["nip"], moved["nip"]]).unique()
    people = tables["employees"].select("nip", "salary_rp", "golongan")
    rates = locked_rates(nw.from_native(kept["pay_register"]), nw.from_native(kept["pool_summary"]), policy)
    recomputed = now.filter(pl.col("nip").is_in(touched.implode())).drop("salary_rp").join(people, on="nip", how="left")
    inputs = engine_inputs(tables, backend)
    basis = nw.from_native(tax_basis(inputs, period).collect("polars").to_native()) if policy.pph21.ter else None
    corrected = corrected_pay(nw.from_native(recomputed), rates, policy, period, nw.from_native(was),
                              basis).to_native()
    rows = _differences(was.filter(pl.col("nip").is_in(touched.implode())), corrected, own,
                        f"changed since the lock: {', '.join(shared)}" if shared else "recomputed")
    return touched, corrected, rows


def corrections(wh: Warehouse, locked: KeptRun) -> list[KeptRun]:
    """The corrections of the run ``locked`` still standing (not superseded), oldest first."""
    return [r for r in kept_runs(wh, locked.period) if r.adjusts == locked.run_id
            and r.status != RunStatus.SUPERSEDED]


def paid_runs(wh: Warehouse, period: Period | str) -> set[str]:
    """The runs and corrections of ``period`` that a payment of the ledger paid."""
    return {p.run_id for p in ledger.payments(wh, period)}


def paid_base(wh: Warehouse, locked: KeptRun) -> KeptRun:
    """What has been paid for the month: the run or correction its last payment paid, else the
    locked run. A correction compares with it: its net differences are what its rapel pays."""
    paid = [p for p in ledger.payments(wh, locked.period) if p.kind in ledger.PAY_KINDS and p.run_id]
    return kept_run(wh, paid[-1].run_id) if paid else locked


def current_correction(wh: Warehouse, period: Period, purpose: str) -> tuple[KeptRun, KeptRun]:
    """The period's locked run and its latest standing correction (refused when it has none)."""
    locked = locked_run(wh, period, purpose)
    standing = corrections(wh, locked)
    if not standing:
        raise Refused(f"{period} has no correction of its locked run {locked.run_id}; make one with "
                      f"`eperf adjust --period {period} --out DIR`")
    return locked, standing[-1]


@dataclasses.dataclass(frozen=True)
class LateChanges:
    """What changed for one employee since a locked run (or its latest correction) was computed."""

    since: int
    """The load the changes are counted from."""
    rows: pl.DataFrame
    """What a new correction would change for them against what was paid (:func:`adjust`'s rows)."""
    policy: Policy
    then: dict[str, pl.LazyFrame]
    now: dict[str, pl.LazyFrame]
    """Their inputs of the period as of ``since`` and today."""


def late_changes(wh: Warehouse, locked: KeptRun, nip: str,
                 as_locked: dict[str, pl.LazyFrame] | None = None) -> LateChanges | None:
    """What a new correction of the locked run would change for ``nip`` today against what was
    paid, and their inputs then and now (nothing written); None when none of their inputs and no
    input shared by everyone changed since the locked run or its latest correction was computed.
    Reads that employee's rows, unless a shared input changed (then anyone may have moved);
    ``as_locked``: their inputs as the locked run read them (:func:`kept_inputs`), when at hand."""
    period = Period.parse(locked.period)
    standing = corrections(wh, locked)
    since = standing[-1].watermark if standing else locked.watermark
    shared = wh.changed(period, since, SHARED_TABLES)
    if not shared and not wh.changed(period, since, PERSONAL_TABLES, nip):
        return None
    then = as_locked if as_locked is not None and not standing else \
        kept_inputs(wh, standing[-1] if standing else locked, nip)[1]
    today, tables = _inputs(wh, period, wh.watermark(), locked.watermark, nip)
    month = month_of(DataDir({n: t.lazy() for n, t in tables.items()}, pl.DataFrame(), ()), today, period, "late")
    now = month.result.pay_register.to_native()
    kept = kept_outputs(wh, locked.run_id)
    if shared or not now.join(kept["pool_summary"], on="pool_id", how="anti").is_empty():
        rows = _correction(wh, period, locked).rows.filter(pl.col("nip") == nip)  # not one employee's alone
    else:
        base = paid_base(wh, locked)
        was = kept_outputs(wh, base.run_id, nip)["pay_register"]
        rows = _corrected(wh, period, base, kept, was, tables, now, today, nip=nip)[2]
    return LateChanges(since, rows, today, then, {n: t.lazy() for n, t in tables.items()})


@dataclasses.dataclass(frozen=True)
class Corrected:
    """A standing correction of a locked run, seen for one employee."""

    run: KeptRun
    rows: pl.DataFrame
    """``nip, field, locked, now, delta_rp``: the employee's fields it changes against the locked run."""
    paid_in: str | None
    """The payment that paid it (None: not paid)."""


def corrected(wh: Warehouse, locked: KeptRun, nip: str) -> list[Corrected]:
    """Each standing correction of the locked run, what it changes for ``nip`` and whether it
    was paid."""
    was = kept_outputs(wh, locked.run_id, nip)["pay_register"]
    paid = {p.run_id: p.payment_id for p in ledger.payments(wh, locked.period)}
    found = []
    for run in corrections(wh, locked):
        now = kept_outputs(wh, run.run_id, nip)["pay_register"]
        rows = _differences(was, now, pl.DataFrame(schema={"nip": pl.String, "reason": pl.String}), "")
        found.append(Corrected(run, rows.drop("reason"), paid.get(run.run_id)))
    return found


def _differences(was: pl.DataFrame, now: pl.DataFrame, reasons: pl.DataFrame, otherwise: str) -> pl.DataFrame:
    """Per employee and field, locked and now (0 for someone absent from one of them), with the
    employee's reason (``otherwise`` when none of their own inputs changed)."""
    def long(register: pl.DataFrame, name: str) -> pl.DataFrame:
        return register.unpivot(list(ADJUSTED_FIELDS), index="nip", variable_name="field", value_name=name)

    order = pl.Enum(ADJUSTED_FIELDS)
    return (
        long(was, "locked").join(long(now, "now"), on=["nip", "field"], how="full", coalesce=True)
        .with_columns(pl.col("locked").fill_null(0), pl.col("now").fill_null(0))
        .with_columns(delta_rp=pl.col("now") - pl.col("locked"))
        .filter(pl.col("delta_rp") != 0)
        .join(reasons, on="nip", how="left")
        .with_columns(pl.col("reason").fill_null(pl.lit(otherwise)))
        .sort("nip", pl.col("field").cast(order))
        .select("nip", "field", "locked", "now", "delta_rp", "reason")
    )


def _reasons(wh: Warehouse, period: Period, watermark: int, nip: str | None = None) -> tuple[pl.DataFrame, list[str]]:
    """``nip, reason``: which of an employee's own inputs for the period changed since the lock
    (``nip``'s only, when given); and the inputs shared by everyone (positions, catalogue,
    calendar…) that changed."""
    per_nip = [_changed_nips(wh, name, period, watermark, nip).with_columns(source=pl.lit(CONTRACTS[name].path))
               for name in PERSONAL_TABLES]
    shared = [CONTRACTS[n].path for n in wh.changed(
        period, watermark, SHARED_TABLES)]
    suffix = f"; also changed: {', '.join(shared)}" if shared else ""
    own = (
        pl.concat(per_nip).sort("nip", "source")
        .group_by("nip", maintain_order=True).agg(pl.col("source").str.join(", "))
        .select("nip", (pl.lit("changed since the lock: ") + pl.col("source") + pl.lit(suffix)).alias("reason"))
    )
    return own, shared


def _changed_nips(wh: Warehouse, name: str, period: Period, watermark: int, nip: str | None = None) -> pl.DataFrame:
    """``nip`` of the employees with a row of ``name`` for the period added, replaced or gone
    since load ``watermark`` (``nip`` alone, when given)."""
    now, then = wh.table(name, period, nip=nip), wh.table(name, period, as_of=watermark, nip=nip)
    columns = list(CONTRACTS[name].columns)
    return pl.concat([now.join(then, on=columns, how="anti", nulls_equal=True),
                      then.join(now, on=columns, how="anti", nulls_equal=True)]).select("nip").unique()


def _fingerprint(wh: Warehouse, period: Period, watermark: int, budget_as_of: int | None = None) -> str:
    """What a run of ``period`` depends on: each input's rows for the period, the policy text
    and the code version. The same fingerprint gives the same run id and the same outputs."""
    tables = {name: wh.fingerprint(name, period, _as_of(name, watermark, budget_as_of)) for name in SOURCES}
    sha256, text = _policy(wh, watermark)
    paid = {str(p): run.run_id for p, run in _locked_months(wh, period).items()} \
        if parse_policy(text, period).pph21.ter else {}  # under TER the year's locked months are inputs (YTD)
    document = json.dumps({"tables": tables, "policy": sha256, "code": version("eperf"),
                           **({"ytd_runs": paid} if paid else {})}, sort_keys=True)
    return inputs_digest(document)


def _locked_months(wh: Warehouse, period: Period) -> dict[Period, KeptRun]:
    """Each earlier month of year(m) with a locked run, as locked with its corrections (SPEC §4.9
    YTD): its latest standing locked correction, which holds every earlier one, else the run."""
    months = (Period(period.year, m) for m in range(1, period.month))
    return {month: ([c for c in corrections(wh, run) if c.status == RunStatus.LOCKED] or [run])[-1]
            for month in months if (run := current_run(wh, month)) is not None and run.status == RunStatus.LOCKED}


def _year_to_date(wh: Warehouse, period: Period, tables: dict[str, pl.DataFrame],
                  nip: str | None = None) -> pl.DataFrame:
    """The PPh 21 year to date of ``period`` (:mod:`pipelines.warehouse.ytd`); a month of the year
    before it that nothing covers stops the run when it is someone's last month. With ``nip``,
    that employee's only (``tables`` holds their rows only)."""
    locked = _locked_months(wh, period)
    holes = year_holes(tables["pph21_ytd"], list(locked), period)
    if holes:
        last = in_last_month(engine_inputs(tables), period).select(nw.len()).collect("polars").item()
        if last:
            raise InputError(f"{period} is the last month of the year for {last} employee(s), and the true-up needs "
                             f"every earlier month of {period.year}: {', '.join(holes)} "
                             f"{'has' if len(holes) == 1 else 'have'} neither a locked run nor a {YTD_PATH} row; "
                             "lock those months or load the salary payroll's year to date")
    registers = {month: kept_outputs(wh, run.run_id, nip)["pay_register"] for month, run in locked.items()}
    return year_to_date(tables["pph21_ytd"], registers, period)


def policy_of(wh: Warehouse, period: Period) -> Policy:
    """The policy in force for ``period`` in the last ``policy.toml`` loaded."""
    return parse_policy(_policy(wh, wh.watermark())[1], period)


def _as_of(name: str, watermark: int, budget_as_of: int | None) -> int:
    """The load a run reads ``name`` as of: the budget tables as of the lock in a correction."""
    return budget_as_of if budget_as_of is not None and name in BUDGET_TABLES else watermark


def _policy(wh: Warehouse, watermark: int) -> tuple[str, str]:
    """(SHA-256, text) of the last ``policy.toml`` loaded up to ``watermark``."""
    rows = wh.rows("select sha256, text from policies where load_id <= ? order by load_id desc limit 1", [watermark])
    if not rows:
        raise Refused("the warehouse holds no policy.toml yet; load one with `eperf ingest --data DIR`")
    return str(rows[0][0]), str(rows[0][1])


def _compute(wh: Warehouse, period: Period, watermark: int, run_id: str, backend: Backend,
             budget_as_of: int | None = None) -> Month:
    stage(f"reading {period} from the warehouse")
    policy, tables = _inputs(wh, period, watermark, budget_as_of)
    for name, what in (("employees", "employee active"), ("activity_log", "activity log row"),
                       ("attendance", "attendance row")):
        if tables[name].height == 0:
            raise InputError(f"the warehouse holds no {what} in {period}; load {CONTRACTS[name].path} for the month "
                             "first (a month is never computed from nothing)")
    read = tuple(_read(wh, name, period, _as_of(name, watermark, budget_as_of), frame.height)
                 for name, frame in tables.items())
    loaded = DataDir({name: frame.lazy() for name, frame in tables.items()}, wh.rejects(watermark), read)
    stage("computing pay")
    return month_of(loaded, policy, period, run_id, backend)


def _inputs(wh: Warehouse, period: Period, watermark: int, budget_as_of: int | None = None,
            nip: str | None = None) -> tuple[Policy, dict[str, pl.DataFrame]]:
    """The policy and the input tables of ``period`` as of load ``watermark`` (the budget as of
    ``budget_as_of`` when given); with ``nip``, that employee's rows only (and their
    ``hr/employees`` row whatever its span, to say why they are not in the month)."""
    tables = {name: wh.table(name, None if nip is not None and name == "employees" else period,
                             _as_of(name, watermark, budget_as_of), nip=nip) for name in SOURCES}
    policy = parse_policy(_policy(wh, watermark)[1], period)
    if policy.pph21.ter:
        tables["pph21_ytd"] = _year_to_date(wh, period, tables, nip)
    return policy, tables


def kept_inputs(wh: Warehouse, run: KeptRun, nip: str) -> tuple[Policy, dict[str, pl.LazyFrame]]:
    """The policy and ``nip``'s inputs a kept run was computed from: the warehouse as of its
    watermark (a correction's budget as of the lock it corrects). Reads that employee's rows only."""
    budget_as_of = kept_run(wh, run.adjusts).watermark if run.adjusts else None
    policy, tables = _inputs(wh, Period.parse(run.period), run.watermark, budget_as_of, nip)
    return policy, {name: frame.lazy() for name, frame in tables.items()}


def _read(wh: Warehouse, name: str, period: Period, as_of: int, rows: int) -> FileLoad:
    """What a run read of table ``name``: the period's rows current at ``as_of`` (the manifest's
    input and the summary's count: not every row the warehouse holds), with their content digest."""
    digest = inputs_digest(*(str(part) for part in wh.fingerprint(name, period, as_of)))
    return FileLoad(f"warehouse:{CONTRACTS[name].path}", digest, rows, rows, 0)


def _keep(wh: Warehouse, month: Month, period: Period, watermark: int, fingerprint: str,
          adjusts: str | None, backend: Backend) -> KeptRun:
    """Keep the month as a draft run (replacing one with the same id) with its outputs; the
    rejects are not kept with it: they are the loads' rejects up to ``watermark``."""
    stage("keeping the run")
    manifest = {**manifest_of(month, period, backend), "computed_at": wh.at.isoformat(), "computed_by": wh.by,
                "warehouse_watermark": watermark, **({"adjusts": adjusts} if adjusts else {})}
    wh.rows("delete from runs where run_id = ?", [month.run_id])
    wh.rows("insert into runs values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [month.run_id, str(period), RunStatus.DRAFT.value, wh.at, wh.by, watermark, fingerprint, adjusts,
             json.dumps(manifest, indent=2)])
    store_outputs(wh, month.run_id, {k: v for k, v in outputs_of(month).items() if k != "rejects"})
    return kept_run(wh, month.run_id)


def export(wh: Warehouse, period: Period) -> tuple[KeptRun, Callable[[Path], None]]:
    """The period's run that counts (the locked one, else the approved, else the newest draft)
    and the writer of its SPEC §6 folder."""
    current = counted_run(wh, period)
    outputs = {**kept_outputs(wh, current.run_id), "rejects": wh.rejects(current.watermark)}
    return current, run_folder(outputs, {**kept_manifest(wh, current.run_id), "status": current.status.value})
