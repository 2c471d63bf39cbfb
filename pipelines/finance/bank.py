"""Finance (BPKAD): bank files, each a payment of the ledger (:mod:`pipelines.warehouse.ledger`),
and the name mask of every other report.

A bank file pays a period's locked run (the month) or its latest locked correction (a rapel,
once the month is paid): per employee what that run or correction says is due less what the
period's payments issued before. Its transfers are the positive nets, with name and account
unmasked as the warehouse held them when the payment was made; a negative net is a recovery,
kept in the ledger and not transferred. Its first line, a ``#`` comment, names the payment (and
a reissue); the lines after it are the CSV the bank reads.

Money leaves once: a second file for a payment is refused unless it is a reissue (the same
transfer lines, byte for byte, under a first line saying which reissue it is); a payment whose
budget check FAILs is refused unless made over budget with a reason.
"""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import polars as pl

from engine import Period, Verdict
from pipelines.finance.outlook import budget
from pipelines.month.outputs import spreadsheet_safe
from pipelines.numbers import number, rupiah, wib
from pipelines.sources.exports import sha256_of
from pipelines.warehouse import ledger
from pipelines.warehouse.ledger import Payment, PaymentKind
from pipelines.warehouse.lifecycle import KeptRun, current_correction, locked_run
from pipelines.warehouse.store import Refused, RunStatus, Warehouse, kept_outputs

BANK_FILE_COLUMNS = ("nip", "name", "bank_account", "net_rp")
HEADER = "# eperf bank file"
"""How a bank file's first line starts: what tells it from a file eperf did not write."""


@dataclasses.dataclass(frozen=True)
class Issue:
    """A file of a payment: ``issue`` 0 the original, 1, 2… a reissue; ``content`` its bytes
    (empty when ``already``: the file at the path is this payment's, nothing is written)."""

    payment: Payment
    lines: pl.DataFrame
    """The payment's lines (:data:`ledger.LINE_COLUMNS`)."""
    issue: int
    content: bytes
    failing: tuple[str, ...] = ()
    """The budget rows that FAIL, for a payment made over budget."""
    already: bool = False

    @property
    def transfers(self) -> pl.DataFrame:
        return self.lines.filter(pl.col("net_rp") > 0)

    @property
    def recoveries(self) -> pl.DataFrame:
        return self.lines.filter(pl.col("net_rp") < 0)

    def write(self, path: Path) -> None:
        path.write_bytes(self.content)


def bank_file(wh: Warehouse, period: Period, out: Path, correction: bool = False, reissue: str | None = None,
              over_budget: str | None = None) -> Issue:
    """The bank file of the period's month (or, with ``correction``, its rapel) to write to
    ``out``, entered in the ledger and the audit trail. With ``reissue`` (its reason) the
    payment's file again. When ``out`` already holds this payment's file (a command repeated,
    say after it was killed), nothing is written or issued."""
    ledger.check_adopted(wh, period)
    kind = PaymentKind.RAPEL if correction else PaymentKind.MONTH
    if reissue is not None:
        return _reissue(wh, period, kind, reissue, out)
    target = _target(wh, period, correction)
    made = [p for p in ledger.payments(wh, period) if p.kind is kind and (kind is PaymentKind.MONTH or
                                                                          p.run_id == target.run_id)]
    if made:
        files = ledger.payment_files(wh, made[0].payment_id)
        if out.is_file() and sha256_of(out) in {f.sha256 for f in files}:
            return Issue(made[0], ledger.payment_lines(wh, [made[0].payment_id]).drop("payment_id"), 0, b"",
                         already=True)
        raise Refused(f"{made[0].payment_id} ({kind} of {period}) was paid by the bank file {files[0].file} of "
                      f"{wib(made[0].at)}: a second file for it is refused; to write the same file again, give "
                      "--reissue --reason TEXT")
    failing = _budget_failures(wh, period)
    if failing and not (over_budget or "").strip():
        raise Refused(f"the budget of {period} FAILs ({'; '.join(failing)}): `eperf budget --period {period}` "
                      "shows why; a payment over budget needs --over-budget --reason TEXT (kept in the audit trail)")
    due = ledger.due_lines(kept_outputs(wh, target.run_id)["pay_register"])
    lines = ledger.owed(due, ledger.issued(wh, period))
    if lines.is_empty():
        raise Refused(f"{target.kind} {target.run_id} changes no one's pay against what was issued for {period}: "
                      "there is nothing to pay")
    count = len([p for p in ledger.payments(wh, period) if p.kind is kind])
    payment = Payment(ledger.payment_id(str(period), kind, count + 1), str(period), kind, count + 1, target.run_id,
                      str(wh.at), wh.by, wh.watermark(), None,
                      f"{over_budget.strip()} (FAIL: {'; '.join(failing)})" if failing and over_budget else None)
    body = _body(wh, lines, payment.watermark)
    payment = dataclasses.replace(payment, transfers_sha256=hashlib.sha256(body).hexdigest())
    ledger.record_payment(wh, payment, lines)
    made_file = Issue(payment, lines, 0, (_header(payment, lines) + "\n").encode() + body, failing)
    _record(wh, made_file, out, None)
    return made_file


def _target(wh: Warehouse, period: Period, correction: bool) -> KeptRun:
    """What a payment of the period pays: its locked run, or its latest correction, which must
    be locked, and the month paid before it."""
    if not correction:
        return locked_run(wh, period, "a bank transfer file")
    latest = current_correction(wh, period, "a rapel transfer file")[1]
    if latest.status != RunStatus.LOCKED:
        raise Refused(f"correction {latest.run_id} is {latest.status}: a rapel transfer file is made from a locked "
                      f"correction (`eperf approve --period {period} --correction`, then lock it)")
    if not any(p.kind is PaymentKind.MONTH for p in ledger.payments(wh, period)):
        raise Refused(f"{period} has not been paid yet: pay the month first (`eperf bankfile --period {period} "
                      "--out FILE`); its rapel then pays what the correction adds to what was issued")
    return latest


def _reissue(wh: Warehouse, period: Period, kind: PaymentKind, reason: str, out: Path) -> Issue:
    """The file of the period's last payment of ``kind`` again: the same transfer lines, byte
    for byte (names and accounts as the warehouse held them when it was paid)."""
    if not reason.strip():
        raise Refused("a reissue needs a reason (--reason TEXT): it is kept in the audit trail")
    made = [p for p in ledger.payments(wh, period) if p.kind is kind]
    if not made:
        raise Refused(f"{period} has no {kind} payment to reissue; a first bank file is made without --reissue")
    payment = made[-1]
    lines = ledger.payment_lines(wh, [payment.payment_id]).drop("payment_id")
    body = _body(wh, lines, payment.watermark)
    if hashlib.sha256(body).hexdigest() != payment.transfers_sha256:
        raise Refused(f"{payment.payment_id}'s transfers cannot be written again as they were paid (its file was "
                      "written before the payment ledger, or the warehouse no longer holds what it was made from)")
    issue = len(ledger.payment_files(wh, payment.payment_id))
    header = f"{_header(payment, lines)}; REISSUE {issue}: the transfers below are the original's, byte for byte"
    again = Issue(payment, lines, issue, (header + "\n").encode() + body)
    _record(wh, again, out, reason.strip())
    return again


def _record(wh: Warehouse, made: Issue, out: Path, reason: str | None) -> None:
    """Enter the file in the ledger and the audit trail (in the command's transaction: the
    file is put in place when it commits)."""
    digest = hashlib.sha256(made.content).hexdigest()
    ledger.record_file(wh, made.payment.payment_id, str(out), digest, reason)
    wh.record(ledger.BANK_FILE_ACTION, made.payment.period, made.payment.run_id, payment_id=made.payment.payment_id,
              kind=made.payment.kind.value, issue=made.issue, file=str(out), sha256=digest,
              transfers=made.transfers.height, net_rp=int(made.transfers["net_rp"].sum()),
              recoveries=made.recoveries.height, recovered_rp=-int(made.recoveries["net_rp"].sum()),
              **({"reissue": reason} if reason else {}),
              **({"over_budget": made.payment.over_budget} if made.payment.over_budget and not made.issue else {}))


def _body(wh: Warehouse, lines: pl.DataFrame, watermark: int) -> bytes:
    """The CSV of a payment's transfers (``nip, name, bank_account, net_rp``; every positive
    net), names and accounts as of load ``watermark``."""
    people = wh.table("employees", as_of=watermark, columns=("nip", "name", "bank_account"))
    rows = (lines.filter(pl.col("net_rp") > 0).select("nip", "net_rp")
            .join(people, on="nip", how="left").select(BANK_FILE_COLUMNS).sort("nip"))
    return spreadsheet_safe(rows).write_csv().encode()


def _header(payment: Payment, lines: pl.DataFrame) -> str:
    """The first line of a payment's file: what it pays and its totals (no clock: the same
    payment gives the same bytes; when it was made is in the ledger and the audit trail)."""
    paid = lines.filter(pl.col("net_rp") > 0)
    back = lines.filter(pl.col("net_rp") < 0)
    what = "correction" if payment.kind is PaymentKind.RAPEL else "run"
    text = (f"{HEADER}: payment {payment.payment_id} ({payment.kind} of {payment.period}, {what} {payment.run_id}); "
            f"{number(paid.height)} transfers, net {rupiah(int(paid['net_rp'].sum()))}")
    if back.height:
        text += f"; {number(back.height)} recoveries not transferred, {rupiah(-int(back['net_rp'].sum()))}"
    return text + ("; paid over budget" if payment.over_budget else "")


def _budget_failures(wh: Warehouse, period: Period) -> tuple[str, ...]:
    """The pool and account rows of the period's budget check that FAIL, named (``pool
    1.02.01``, ``account 1.02.01 5.1.01.02.01.0001``). The city's belanja pegawai share is a
    property of the APBD as planned (pagu), which no payment changes: ``budget`` shows it, it
    does not stop a payment."""
    rows = budget(wh, period)[1].filter(pl.col("status") == Verdict.FAIL.value, pl.col("level") != "city")
    return tuple(f"pool {row['pool_id']}" if row["level"] == "pool" else
                 f"account {row['pool_id']} {row['account_code']}" for row in rows.iter_rows(named=True))


def mask_name(name: pl.Expr) -> pl.Expr:
    """Each word's first letter and stars: ``Siti Rahayu`` → ``S*** R*****``."""
    word = pl.element()
    stars = word.str.slice(0, 1) + word.str.slice(1).str.replace_all(".", "*")
    return name.str.split(" ").list.eval(stars).list.join(" ")
