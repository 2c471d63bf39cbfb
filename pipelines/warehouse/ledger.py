"""The payment ledger: every bank file is a payment, and what it issued to each employee.

Money leaves once. A bank file is a *payment* of a period: its month (the locked run), a rapel
(a locked correction) or an extra payment. Per employee it issues what the run or correction it
pays says is due, less what the period's earlier payments issued (:func:`owed`): a positive net
is a transfer, a negative one a recovery, recorded here and not transferred (it is withheld from
a later payment, outside eperf). So whatever corrections came between, what the ledger holds for
an employee is what the last payment paid for: nothing is paid twice, nothing is lost.

- ``payments``: ``payment_id`` (``TPP-2025-10`` the month, ``TPP-2025-10-RAPEL-1`` its first
  rapel, ``TPP-2025-10-EXTRA-1`` an extra payment), period, kind, its number among the period's
  payments of that kind, the run or correction it paid (``run_id``), who, when, the load whose
  names and accounts its file carries (``watermark``), the SHA-256 of its transfer lines, why it
  was paid over budget (empty: it was not), and for a bank file written before the ledger
  existed, the audit entry it was adopted from (:func:`adopt_legacy`).
- ``payment_lines``: per payment and employee, the OPD, gross and net issued.
- ``payment_files``: every file written for a payment: ``issue`` 0 the original, 1, 2… its
  reissues (the same transfers, byte for byte), with who, when, the path, the file's SHA-256 and
  a reissue's reason.
"""

from __future__ import annotations

import dataclasses
import json
from enum import StrEnum

import polars as pl

from engine import Period
from pipelines.warehouse.store import Refused, Warehouse, kept_outputs

LINE_SCHEMA = {"nip": pl.String, "opd_code": pl.String, "gross_rp": pl.Int64, "net_rp": pl.Int64}
"""A payment's line per employee (and what a run or correction says is due: :func:`due_lines`)."""
LINE_COLUMNS = tuple(LINE_SCHEMA)
BANK_FILE_ACTION = "bank file"
"""The audit trail's action of a bank file written."""


class PaymentKind(StrEnum):
    """What a payment pays: the month's TPP (its locked run), a rapel (a locked correction of the
    month) or an extra payment (THR, gaji-13)."""

    MONTH = "month"
    RAPEL = "rapel"
    EXTRA = "extra"


PAY_KINDS = (PaymentKind.MONTH, PaymentKind.RAPEL)
"""The kinds that pay the month's TPP: a rapel pays what its correction says is due less what
the month and earlier rapels issued. An extra payment is due and issued apart."""


@dataclasses.dataclass(frozen=True)
class Payment:
    """One payment of the ledger."""

    payment_id: str
    period: str
    kind: PaymentKind
    number: int
    run_id: str
    at: str
    by: str
    watermark: int
    transfers_sha256: str | None
    """None for a payment adopted from a bank file written before the ledger existed."""
    over_budget: str | None


def payment_id(period: str, kind: PaymentKind, number: int) -> str:
    """``TPP-2025-10`` (the month), ``TPP-2025-10-RAPEL-2`` (its second rapel)…: the reference
    a payment's SP2D carry in their number (:func:`sp2d_payment`)."""
    return f"TPP-{period}" if kind is PaymentKind.MONTH else f"TPP-{period}-{kind.upper()}-{number}"


def sp2d_payment(period: pl.Expr, sp2d_no: pl.Expr) -> pl.Expr:
    """The payment an SP2D (or a transfer on it) disburses, by its number: one holding a
    payment id ``TPP-YYYY-MM-RAPEL-<k>`` (or ``-EXTRA-<k>``), in any case, disburses that
    payment; any other, the month of its ``period``. So the month's SP2D keep their usual
    numbers, and a rapel's are told apart from them and from each other."""
    found = sp2d_no.str.to_uppercase().str.extract_groups(
        r"(TPP-[0-9]{4}-[0-9]{2})-(RAPEL|EXTRA)-0*([1-9][0-9]*)(?:[^0-9]|$)")
    month, kind, number = (found.struct.field(str(i)) for i in (1, 2, 3))
    return pl.when(kind.is_null()).then(pl.format("TPP-{}", period)).otherwise(
        pl.format("{}-{}-{}", month, kind, number))


_PAYMENT_COLUMNS = ('payment_id, period, kind, "number", run_id, strftime("at", \'%Y-%m-%d %H:%M:%S\'), "by", '
                    "watermark, transfers_sha256, over_budget")


def payments(wh: Warehouse, period: Period | str) -> list[Payment]:
    """The period's payments, in the order they were made (legacy bank files adopted first)."""
    adopt_legacy(wh, str(period))
    rows = wh.rows(f'select {_PAYMENT_COLUMNS} from payments where period = ? '
                   "order by kind <> 'month', \"at\", kind, \"number\"",
                   [str(period)])
    return [Payment(str(pid), str(p), PaymentKind(str(kind)), int(n), str(run), str(at), str(by), int(w),
                    None if sha is None else str(sha), None if over is None else str(over))
            for pid, p, kind, n, run, at, by, w, sha, over in rows]


def payment_lines(wh: Warehouse, ids: list[str]) -> pl.DataFrame:
    """``payment_id, nip, opd_code, gross_rp, net_rp`` of the payments ``ids``, in the order
    they were made."""
    lines: pl.DataFrame = wh.con.sql(
        "select l.payment_id, l.nip, l.opd_code, l.gross_rp, l.net_rp from payment_lines l join payments p "
        "using (payment_id) where list_contains($ids, l.payment_id) "
        "order by p.kind <> 'month', p.\"at\", p.kind, p.\"number\", l.nip",
        params={"ids": ids}).pl()
    return lines


def issued(wh: Warehouse, period: Period | str, kinds: tuple[PaymentKind, ...] = PAY_KINDS) -> pl.DataFrame:
    """``nip, opd_code, gross_rp, net_rp``: per employee what the period's payments of ``kinds``
    issued in all (net of recoveries), the OPD of their last line."""
    ids = [p.payment_id for p in payments(wh, period) if p.kind in kinds]
    return sum_lines(payment_lines(wh, ids))


def sum_lines(lines: pl.DataFrame) -> pl.DataFrame:
    """Payment lines (in payment order) summed per employee."""
    return lines.group_by("nip", maintain_order=True).agg(
        pl.col("opd_code").last(), pl.col("gross_rp").sum(), pl.col("net_rp").sum()).select(LINE_COLUMNS).sort("nip")


def due_lines(register: pl.DataFrame) -> pl.DataFrame:
    """What a pay register says is due, as payment lines: gross is the TPP paid, the month's and
    its extra payment's (``pay_rp + extra_rp``; a register kept before extra payments has none);
    net is ``net_rp``, negative where a last month's PPh 21 true-up passes the pay (a recovery)."""
    extra = pl.col("extra_rp") if "extra_rp" in register.columns else pl.lit(0, pl.Int64)
    return register.select("nip", "opd_code", (pl.col("pay_rp") + extra).alias("gross_rp"), "net_rp")


def owed(due: pl.DataFrame, issued_lines: pl.DataFrame) -> pl.DataFrame:
    """The lines of a payment of ``due`` after ``issued_lines`` (both :data:`LINE_COLUMNS`):
    per employee due less issued, where either differs from zero. An employee issued before and
    absent from ``due`` is owed the negative of what they were issued (a recovery)."""
    both = due.join(issued_lines, on="nip", how="full", coalesce=True, suffix="_issued")
    return both.select(
        "nip", pl.coalesce("opd_code", "opd_code_issued").alias("opd_code"),
        (pl.col("gross_rp").fill_null(0) - pl.col("gross_rp_issued").fill_null(0)).alias("gross_rp"),
        (pl.col("net_rp").fill_null(0) - pl.col("net_rp_issued").fill_null(0)).alias("net_rp"),
    ).filter((pl.col("gross_rp") != 0) | (pl.col("net_rp") != 0)).sort("nip")


def record_payment(wh: Warehouse, payment: Payment, lines: pl.DataFrame, adopted_from: int | None = None) -> None:
    """Add ``payment`` and its ``lines`` (:data:`LINE_COLUMNS`) to the ledger."""
    wh.rows('insert into payments values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
            [payment.payment_id, payment.period, payment.kind.value, payment.number, payment.run_id, payment.at,
             payment.by, payment.watermark, payment.transfers_sha256, payment.over_budget, adopted_from])
    wh.con.register("new_lines", lines.select(LINE_COLUMNS).with_columns(
        pl.lit(payment.payment_id).alias("payment_id")).to_arrow())
    wh.rows("insert into payment_lines select payment_id, nip, opd_code, gross_rp, net_rp from new_lines")
    wh.con.unregister("new_lines")


@dataclasses.dataclass(frozen=True)
class PaymentFile:
    """One file written for a payment: ``issue`` 0 the original, then its reissues."""

    issue: int
    at: str
    by: str
    file: str
    sha256: str | None
    reason: str | None


def payment_files(wh: Warehouse, pid: str) -> list[PaymentFile]:
    """Every file written for the payment ``pid``, the original first."""
    rows = wh.rows('select issue, strftime("at", \'%Y-%m-%d %H:%M:%S\'), "by", file, sha256, reason '
                   "from payment_files where payment_id = ? order by issue", [pid])
    return [PaymentFile(int(i), str(at), str(by), str(f), None if s is None else str(s), None if r is None else str(r))
            for i, at, by, f, s, r in rows]


def record_file(wh: Warehouse, pid: str, file: str, sha256: str | None, reason: str | None = None) -> int:
    """Add a file written for the payment ``pid``; returns its issue (0: the original)."""
    issue = len(payment_files(wh, pid))
    wh.rows("insert into payment_files values (?, ?, ?, ?, ?, ?, ?)",
            [pid, issue, wh.at, wh.by, file, sha256, reason])
    return issue


def adopt_legacy(wh: Warehouse, period: str) -> None:
    """Enter in the ledger the bank files of ``period`` that an eperf without a ledger wrote
    (an audit entry ``bank file`` with no payment id), as that eperf computed them: a month's
    file paid every employee's positive net of the run locked when it was written; a rapel's,
    the positive differences of the correction locked then against the one locked before it (or
    the locked run). The employees and net total each reproduces are checked against its audit
    entry; one that does not reproduce is adopted with no lines, and money for the period is
    then refused (:func:`check_adopted`). Adopted once, in the command's transaction."""
    entries = wh.rows("select seq, strftime(\"at\", '%Y-%m-%d %H:%M:%S'), \"by\", detail from audit "
                      "where action = ? and period = ? and seq not in "
                      "(select adopted_from from payments where adopted_from is not null) order by seq",
                      [BANK_FILE_ACTION, period])
    for seq, at, by, detail in entries:
        said = json.loads(str(detail))
        if "payment_id" in said:
            continue
        kind = PaymentKind.RAPEL if said.get("correction") else PaymentKind.MONTH
        target, base = _locked_before(wh, period, int(seq), kind)
        number = int(wh.rows("select count(*) from payments where period = ? and kind = ?",
                             [period, kind.value])[0][0]) + 1
        lines, run_id = pl.DataFrame(schema=LINE_SCHEMA), ""
        if target is not None:
            due = due_lines(kept_outputs(wh, target)["pay_register"])
            before = due_lines(kept_outputs(wh, base)["pay_register"]) if base is not None else due.clear()
            found = owed(due, before).filter(pl.col("net_rp") > 0)
            if (found.height, int(found["net_rp"].sum())) == (said.get("employees"), said.get("net_rp")):
                lines, run_id = found, target
        watermark = int(wh.rows("select coalesce(max(load_id), 0) from loads where \"at\" <= ?", [at])[0][0])
        record_payment(wh, Payment(payment_id(period, kind, number), period, kind, number,
                                   run_id, at, str(by), watermark, None, None),
                       lines, adopted_from=int(seq))
        record_file(wh, payment_id(period, kind, number), str(said.get("file", "")), None)


def _locked_before(wh: Warehouse, period: str, seq: int, kind: PaymentKind) -> tuple[str | None, str | None]:
    """The run (month) or correction (rapel) of ``period`` last locked before audit entry
    ``seq``, and what an eperf without a ledger paid a rapel against: the correction locked
    before it, else the locked run."""
    locks = wh.rows("select a.run_id, r.adjusts from audit a join runs r on r.run_id = a.run_id "
                    "where a.action = 'lock' and a.period = ? and a.seq < ? order by a.seq", [period, seq])
    runs = [str(run) for run, adjusts in locks if adjusts is None]
    if kind is PaymentKind.MONTH:
        return (runs[-1] if runs else None), None
    corrections = [str(run) for run, adjusts in locks if adjusts is not None and runs and adjusts == runs[-1]]
    if not corrections:
        return None, None
    return corrections[-1], corrections[-2] if len(corrections) > 1 else runs[-1]


def check_adopted(wh: Warehouse, period: Period | str) -> None:
    """Refuse money for a period with a bank file written before the ledger existed that could
    not be reproduced (:func:`adopt_legacy`): what it paid each employee is unknown."""
    lost = wh.rows("select p.payment_id from payments p where p.period = ? and p.adopted_from is not null and not "
                   "exists (select 1 from payment_lines l where l.payment_id = p.payment_id)", [str(period)])
    if lost:
        raise Refused(f"{period} was paid by a bank file written before the payment ledger ({lost[0][0]}) that eperf "
                      "cannot reproduce from the warehouse: what it paid each employee is unknown, so eperf makes no "
                      "further payment for this period; reconcile it with e-Payment's transfers")
