"""What each ``eperf`` command on the warehouse does, as one function returning a typed result:
the command line (:mod:`pipelines.cli`) only parses, calls one of these (or, for a month from
a folder, :func:`pipelines.month.run.run_from_folder`) and prints.

A function on the warehouse opens it for its one transaction, checks ``--out`` before any
work, and writes its output so that it commits with the command (:func:`_publish`). Errors
are raised as they are: :class:`~pipelines.warehouse.store.Refused` (the warehouse's state
forbids it), :class:`~pipelines.sources.exports.InputError`,
:class:`~pipelines.month.outputs.OutputRefused` or :class:`ValueError` (bad input or path).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import polars as pl

from engine import Period
from pipelines.finance import bank, outlook, reconciliation, reports
from pipelines.finance.payments import simulate_payments as simulated_payments
from pipelines.month.backends import Backend
from pipelines.month.explain import corrected_lines, explanation_of, late_data_lines
from pipelines.month.outputs import check_destination, protecting, staged
from pipelines.month.run import RUN_KIND, Month, table_folder
from pipelines.numbers import wib
from pipelines.progress import stage
from pipelines.warehouse import ledger, lifecycle
from pipelines.warehouse.ingest import Ingest, ingest
from pipelines.warehouse.lifecycle import Adjustment, KeptRun, Unlocked
from pipelines.warehouse.store import AuditEntry, RunStatus, Warehouse, kept_outputs, open_warehouse
from pipelines.warehouse.store import audit_trail as read_audit_trail

BANK_FILE = "bank file"


@dataclasses.dataclass(frozen=True)
class Out:
    """Where a warehouse command writes (``path``, None: nowhere), and as what."""

    path: Path | None
    kind: str
    folder: bool = True
    personal: bool = False
    header: str | None = None

    def check(self, warehouse: Path) -> None:
        """Refuse the path now, before any work (SPEC §8)."""
        if self.path is not None:
            check_destination(self.path, self.kind, folder=self.folder, guard=protecting(warehouse=warehouse),
                              header=self.header)


def _publish(wh: Warehouse, warehouse: Path, out: Out, write: Callable[[Path], object]) -> None:
    """Write ``out`` whole beside its place, commit the command with it recorded, swap it in
    (:mod:`pipelines.month.outputs`, :meth:`Warehouse.publish`)."""
    assert out.path is not None
    stage(f"writing {out.path}")
    with staged(out.path, out.kind, write, folder=out.folder, guard=protecting(warehouse=warehouse),
                personal=out.personal, header=out.header, announce=wh.announce) as output:
        wh.publish(output)


# --- HR: the warehouse ------------------------------------------------------------------------

def load_exports(warehouse: Path, data: Path, by: str | None = None) -> Ingest:
    """``eperf ingest``: every export in ``data`` loaded (the warehouse made if missing)."""
    with open_warehouse(warehouse, by, create=True) as wh:
        return ingest(wh, data)


@dataclasses.dataclass(frozen=True)
class KeptMonth:
    """A month computed from the warehouse and kept as the period's draft."""

    run: KeptRun
    month: Month
    manifest: dict[str, object]


def run_from_warehouse(warehouse: Path, period: Period, backend: Backend = Backend.POLARS,
                       out: Path | None = None, by: str | None = None) -> KeptMonth:
    """``eperf run --period``: the period computed from the warehouse and kept as its draft;
    with ``out``, its SPEC §6 folder written there as well."""
    where = Out(out, RUN_KIND)
    where.check(warehouse)
    with open_warehouse(warehouse, by) as wh:
        kept, month, _ = lifecycle.keep_draft(wh, period, backend)
        if out is not None:
            _publish(wh, warehouse, where, lifecycle.export(wh, period)[1])
        return KeptMonth(kept, month, lifecycle.kept_manifest(wh, kept.run_id))


@dataclasses.dataclass(frozen=True)
class ListedRun:
    """A kept run and who signed it off: the approval and the lock that stand (``by``, UTC time)."""

    run: KeptRun
    approved: tuple[str, str] | None
    locked: tuple[str, str] | None


def kept_runs(warehouse: Path, period: str | None = None) -> list[ListedRun]:
    """``eperf runs``: every run kept (of ``period``), oldest first, with its sign-offs: the last
    approval of an approved or locked run, the last lock of a locked one (an unlock undoes both)."""
    with open_warehouse(warehouse) as wh:
        signed = {(e.run_id, e.action): (e.by, e.at) for e in read_audit_trail(wh) if e.action in ("approve", "lock")}
        return [ListedRun(r, signed.get((r.run_id, "approve")) if r.status in SIGNED_OFF else None,
                          signed.get((r.run_id, "lock")) if r.status == RunStatus.LOCKED else None)
                for r in lifecycle.kept_runs(wh, period)]


SIGNED_OFF = (RunStatus.APPROVED, RunStatus.LOCKED)


def approve(warehouse: Path, period: Period, by: str | None = None, correction: bool = False) -> KeptRun:
    """``eperf approve``: the period's draft (or its latest correction) approved."""
    with open_warehouse(warehouse, by) as wh:
        return lifecycle.approve(wh, period, correction)


def lock(warehouse: Path, period: Period, by: str | None = None, correction: bool = False) -> KeptRun:
    """``eperf lock``: the period's approved run (or its approved correction) locked."""
    with open_warehouse(warehouse, by) as wh:
        return lifecycle.lock(wh, period, correction)


def unlock(warehouse: Path, period: Period, reason: str, by: str | None = None) -> Unlocked:
    """``eperf unlock``: the period's approved or locked run back to draft, with the reason
    (refused once the period has a payment)."""
    with open_warehouse(warehouse, by) as wh:
        return lifecycle.unlock(wh, period, reason)


def adjust(warehouse: Path, period: Period, out: Path, by: str | None = None) -> Adjustment:
    """``eperf adjust``: the locked period recomputed on today's inputs, ``adjustment.csv`` in
    ``out``."""
    where = Out(out, "adjustment")
    where.check(warehouse)
    with open_warehouse(warehouse, by) as wh:
        done = lifecycle.adjust(wh, period)
        _publish(wh, warehouse, where, table_folder({"adjustment.csv": done.rows}))
    return done


def export(warehouse: Path, period: Period, out: Path) -> KeptRun:
    """``eperf export``: the period's run that counts written to ``out`` as SPEC §6 files."""
    where = Out(out, RUN_KIND)
    where.check(warehouse)
    with open_warehouse(warehouse) as wh:
        kept, write = lifecycle.export(wh, period)
        _publish(wh, warehouse, where, write)
    return kept


def explain_kept(warehouse: Path, period: Period, nip: str, run_id: str | None = None) -> list[str]:
    """``eperf explain`` on the warehouse: ``nip``'s pay in the period's run that counts (or
    ``run_id``) as it was kept, step by step; for a locked run, what its corrections changed for
    them and what the payment ledger issued, and after late data what a new correction would
    change and why. Nothing is written. Raises LookupError for an NIP without a row in the run."""
    with open_warehouse(warehouse) as wh:
        run = lifecycle.kept_run_of(wh, period, run_id)
        kept_by = str(lifecycle.kept_manifest(wh, run.run_id).get("code_version"))
        note = (f"this version of eperf ({version('eperf')}) computes this row differently from the one that kept "
                f"the run ({kept_by}); the amounts above are the kept ones, the day lists today's"
                if kept_by != version("eperf") else None)
        policy, tables = lifecycle.kept_inputs(wh, run, nip)
        lines = [f"Run {run.run_id} ({run.status}; computed {wib(run.at)} by {run.by})", "",
                 *explanation_of(policy, tables, kept_outputs(wh, run.run_id, nip), period, nip, note),
                 *([f"   Note: {CORRECTION_NOTE}."] if run.adjusts else [])]
        if run.status == RunStatus.LOCKED and run.adjusts is None:
            done = lifecycle.corrected(wh, run, nip)
            paid = ledger.payments(wh, period)
            issued = ledger.payment_lines(wh, [p.payment_id for p in paid]).filter(pl.col("nip") == nip)
            lines += corrected_lines([(c.run.run_id, c.run.status.value, c.paid_in, c.rows) for c in done],
                                     issued, {p.payment_id: wib(p.at) for p in paid})
            late = lifecycle.late_changes(wh, run, nip, tables)
            if late is not None:
                since = f"correction {done[-1].run.run_id}" if done else "the lock"
                lines += ["", *late_data_lines(late, since, period)]
    return lines


CORRECTION_NOTE = ("a correction: an employee whose inputs changed is paid at the rate the locked run paid their "
                   "pool; everyone else keeps the pay that was paid; the amounts above are the correction's")
"""Why a correction's row differs from the month computed afresh on its inputs."""


def audit_trail(warehouse: Path) -> list[AuditEntry]:
    """``eperf audit``: every entry of the audit trail, in order."""
    with open_warehouse(warehouse) as wh:
        return read_audit_trail(wh)


# --- finance ------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class BudgetOutlook:
    """The budget outlook of a period's run: its rows (``engine.budget.outlook``)."""

    run: KeptRun
    rows: pl.DataFrame


def check_budget(warehouse: Path, period: Period, out: Path | None = None) -> BudgetOutlook:
    """``eperf budget``: the outlook of the period's run that counts, ``budget.csv`` in ``out``."""
    where = Out(out, "budget")
    where.check(warehouse)
    with open_warehouse(warehouse) as wh:
        run, rows = outlook.budget(wh, period)
        if out is not None:
            _publish(wh, warehouse, where, table_folder({"budget.csv": rows}))
    return BudgetOutlook(run, rows)


@dataclasses.dataclass(frozen=True)
class Reconciliation:
    """The locked month's payments against e-Payment: per payment and employee, per payment
    and OPD."""

    run: KeptRun
    employees: pl.DataFrame
    opds: pl.DataFrame


def reconcile(warehouse: Path, period: Period, out: Path) -> Reconciliation:
    """``eperf reconcile``: each payment of the locked month (the month, each rapel) against its
    own transfers and SP2D, written to ``out``."""
    where = Out(out, "reconciliation")
    where.check(warehouse)
    with open_warehouse(warehouse) as wh:
        run, employees, opds = reconciliation.reconcile(wh, period)
        _publish(wh, warehouse, where, table_folder({"reconciliation.csv": employees,
                                                     "reconciliation_opd.csv": opds}))
    return Reconciliation(run, employees, opds)


def write_bank_file(warehouse: Path, period: Period, out: Path, by: str | None = None, correction: bool = False,
                    reissue: str | None = None, over_budget: str | None = None) -> bank.Issue:
    """``eperf bankfile``: the period's month payment (or its rapel, the latest locked
    correction's) written to the file ``out`` (0600), entered in the payment ledger and the
    audit trail in the same step that makes it visible; with ``reissue`` (its reason) the
    payment's file again (:func:`pipelines.finance.bank.bank_file`)."""
    where = Out(out, BANK_FILE, folder=False, personal=True, header=bank.HEADER)
    where.check(warehouse)
    with open_warehouse(warehouse, by) as wh:
        made = bank.bank_file(wh, period, out, correction, reissue, over_budget)
        if not made.already:
            _publish(wh, warehouse, where, made.write)
    return made


def write_reports(warehouse: Path, period: Period, out: Path) -> KeptRun:
    """``eperf report``: ``nominatif.xlsx`` and ``dashboard.html`` of the period's run in ``out``."""
    where = Out(out, "report")
    where.check(warehouse)
    with open_warehouse(warehouse) as wh:
        run, rows = outlook.budget(wh, period)
        register = kept_outputs(wh, run.run_id)["pay_register"]
        nominatif = reports.nominatif_rows(register, wh.table("employees", columns=("nip", "name")), wh.table("opds"))
        burn = outlook.burn(wh, period, gross_rp=int((register["pay_rp"] + register["extra_rp"]).sum()),
                            pagu_rp=int(rows.filter(pl.col("level") == "pool")["pagu_rp"].sum()))
        matched = reconciliation.reconcile(wh, period)[1] if run.status == RunStatus.LOCKED else None

        def write(folder: Path) -> None:
            reports.write_nominatif(nominatif, period, folder / "nominatif.xlsx")
            reports.write_dashboard(folder / "dashboard.html", period, register, rows, burn, matched,
                                    outlook.extra_payments_after(lifecycle.policy_of(wh, period), period))

        _publish(wh, warehouse, where, write)
    return run


@dataclasses.dataclass(frozen=True)
class SimulatedPayments:
    """The demo e-Payment export: its files and the OPD paid over its budget."""

    files: dict[str, pl.DataFrame]
    over_spent: str


def simulate_payments(warehouse: Path, period: Period, out: Path, seed: int = 7) -> SimulatedPayments:
    """``eperf simulate-payments``: an e-Payment export paying the period's run, with seeded
    exceptions, written to ``out``."""
    where = Out(out, "e-payment export")
    where.check(warehouse)
    with open_warehouse(warehouse) as wh:
        files, over_spent = simulated_payments(wh, period, seed)
        _publish(wh, warehouse, where, table_folder(files))
    return SimulatedPayments(files, over_spent)
