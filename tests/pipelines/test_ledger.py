"""Money leaves once (issue 19): the payment ledger behind every bank file.

Each test is one finding of the issue, on the session's generated city with 2025-10 (M1) run,
approved and locked in a warehouse of its own: a paid month paid again, a locked unpaid
correction lost, second bank files and a failing budget ignored, reconciliation inventing
duplicates, and lifecycle messages contradicting the state.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import pytest

from pipelines.warehouse import ledger
from pipelines.warehouse.store import audit_trail, kept_outputs, open_warehouse
from tests.pipelines.payroll import (
    M1,
    Eperf,
    due,
    issued,
    late_feed,
    per_nip,
    reverted,
    sent,
    transfers,
    without_payments,
)

PERIOD = str(M1)


def rp(amount: int) -> str:
    """Rupiah as the command line writes them (Rp 1.234.567)."""
    return f"Rp {amount:,}".replace(",", ".")


@pytest.fixture(scope="module")
def locked(generated_city: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse folder with the city's exports (but e-Payment's) and M1 locked."""
    root = tmp_path_factory.mktemp("ledger")
    hr = Eperf(root / "wh" / "w.duckdb")
    hr.ok("ingest", "--data", without_payments(generated_city, root / "feed"))
    for command in ("run", "approve", "lock"):
        hr.ok(command, "--period", PERIOD)
    return root / "wh"


@pytest.fixture(scope="module")
def lates(generated_city: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Three batches of late data for M1, each for other employees."""
    root = tmp_path_factory.mktemp("late")
    return [late_feed(generated_city, root / f"late{seed}", seed) for seed in (11, 12, 13)]


@pytest.fixture
def hr(locked: Path, tmp_path: Path) -> Eperf:
    shutil.copytree(locked, tmp_path / "wh")
    return Eperf(tmp_path / "wh" / "w.duckdb")


def correct(hr: Eperf, late: Path, out: Path) -> pl.DataFrame:
    """Ingest ``late``, adjust, approve and lock the correction; its adjustment.csv rows."""
    hr.ok("ingest", "--data", late)
    hr.ok("adjust", "--period", PERIOD, "--out", out)
    hr.ok("approve", "--period", PERIOD, "--correction")
    hr.ok("lock", "--period", PERIOD, "--correction")
    return pl.read_csv(out / "adjustment.csv", schema_overrides={"nip": pl.String})


def payment_rule_examples() -> list[tuple[str, str]]:
    return [("1.01.01/SP2D/LS/TPP-2025-10/2025", "TPP-2025-10"),
            ("1.01.01/SP2D/LS/TPP-2025-10-RAPEL-1/2025", "TPP-2025-10-RAPEL-1"),
            ("1.01.01/sp2d/ls/tpp-2025-10-rapel-02/2025", "TPP-2025-10-RAPEL-2"),
            ("1.01.01/SP2D/LS/TPP-2025-10-RAPEL-12", "TPP-2025-10-RAPEL-12"),
            ("1.01.01/SP2D/LS/TPP-2025-10-SUSULAN/2025", "TPP-2025-10"),   # no payment named: the month's
            ("1.01.01/RAPEL-2025-10", "TPP-2025-10"),                     # not a payment id
            ("9.99/TPP-2025-09-EXTRA-1/2025", "TPP-2025-09-EXTRA-1")]     # another period's: never this one's


@pytest.mark.parametrize(("sp2d_no", "payment"), payment_rule_examples())
def test_an_sp2d_disburses_the_payment_its_number_names(sp2d_no: str, payment: str) -> None:
    frame = pl.DataFrame({"period": [PERIOD], "sp2d_no": [sp2d_no]})
    assert frame.select(ledger.sp2d_payment(pl.col("period"), pl.col("sp2d_no")))[0, 0] == payment


def test_a_paid_month_is_never_paid_again(hr: Eperf, lates: list[Path], generated_city: Path,
                                          tmp_path: Path) -> None:
    """Item 1: month paid, rapel paid, then unlock → run → lock → bank file paid the month again."""
    hr.ok("bankfile", "--period", PERIOD, "--out", tmp_path / "bank0.csv")
    late = late_feed(generated_city, tmp_path / "late", seed=11, attendance_only=True)
    correct(hr, late, tmp_path / "adj1")
    hr.ok("bankfile", "--period", PERIOD, "--correction", "--out", tmp_path / "rapel1.csv")
    code, said = hr("unlock", "--period", PERIOD, "--reason", "x")
    assert code == 3 and "has been paid" in said and "eperf adjust" in said
    code, said = hr("run", "--period", PERIOD)
    assert code == 3 and "locked" in said
    code, said = hr("bankfile", "--period", PERIOD, "--out", tmp_path / "bank_again.csv")
    assert code == 3 and "a second file for it is refused" in said and not (tmp_path / "bank_again.csv").exists()
    assert issued(hr.store) == due(hr.store) == sent(tmp_path / "bank0.csv", tmp_path / "rapel1.csv")
    # The variant: the late rows re-exported with their old values. It is late data again, and
    # paid as a correction against what was paid: the rapel's employee owes it back; nothing
    # is transferred twice.
    back = reverted(generated_city, late, tmp_path / "back")
    assert "late data for locked" in hr.ok("ingest", "--data", back)
    assert hr("unlock", "--period", PERIOD, "--reason", "x")[0] == 3
    rows = correct(hr, back, tmp_path / "adj2")
    said = hr.ok("bankfile", "--period", PERIOD, "--correction", "--out", tmp_path / "rapel2.csv")
    raised = rows.filter(pl.col("field") == "net_rp")
    assert (raised["delta_rp"] < 0).all() and "to recover" in said
    assert transfers(tmp_path / "rapel2.csv").is_empty()
    with open_warehouse(hr.store) as wh:
        month = per_nip(kept_outputs(wh, ledger.payments(wh, M1)[0].run_id)["pay_register"])
    assert due(hr.store) == month  # back to the locked run's pay
    assert issued(hr.store) == month  # the ledger: what was sent less what is to be recovered
    money_out = sent(tmp_path / "bank0.csv", tmp_path / "rapel1.csv")
    recovered = per_nip(raised.select("nip", pl.col("delta_rp").alias("net_rp")))
    assert {n: money_out[n] + recovered.get(n, 0) for n in money_out} == month


def test_a_locked_unpaid_correction_is_never_lost(hr: Eperf, lates: list[Path], tmp_path: Path) -> None:
    """Item 2: C1 locked but not paid, then C2: C2's rapel must pay C1's part too."""
    hr.ok("bankfile", "--period", PERIOD, "--out", tmp_path / "bank0.csv")
    first = correct(hr, lates[0], tmp_path / "adj1")
    with open_warehouse(hr.store) as wh:
        c1 = [e.run_id for e in audit_trail(wh) if e.action == "adjust"][-1]
    hr.ok("ingest", "--data", lates[1])
    said = hr.ok("adjust", "--period", PERIOD, "--out", tmp_path / "adj2")
    assert f"supersedes correction {c1} (locked, not paid)" in said
    code, said = hr("bankfile", "--period", PERIOD, "--correction", "--out", tmp_path / "rapel.csv")
    assert code == 3 and "is draft" in said  # C1 cannot be paid apart any more: C2 holds it
    hr.ok("approve", "--period", PERIOD, "--correction")
    hr.ok("lock", "--period", PERIOD, "--correction")
    hr.ok("bankfile", "--period", PERIOD, "--correction", "--out", tmp_path / "rapel.csv")
    c1_raised = per_nip(first.filter(pl.col("field") == "net_rp").select("nip", pl.col("delta_rp").alias("net_rp")))
    rapel = per_nip(transfers(tmp_path / "rapel.csv"))
    assert c1_raised and all(rapel[nip] >= raised for nip, raised in c1_raised.items())
    month = per_nip(transfers(tmp_path / "bank0.csv"))
    assert rapel == {n: v - month.get(n, 0) for n, v in due(hr.store).items() if v != month.get(n, 0)}
    assert issued(hr.store) == due(hr.store) == sent(tmp_path / "bank0.csv", tmp_path / "rapel.csv")


def test_a_second_bank_file_is_refused_unless_reissued(hr: Eperf, lates: list[Path], tmp_path: Path) -> None:
    """Item 3: four files, four audit entries for one payment."""
    first = tmp_path / "bank.csv"
    hr.ok("bankfile", "--period", PERIOD, "--out", first)
    code, said = hr("bankfile", "--period", PERIOD, "--out", tmp_path / "bank2.csv")
    assert code == 3 and "--reissue --reason" in said and not (tmp_path / "bank2.csv").exists()
    # The same command again (after a kill, say): the file there is the payment's; nothing new.
    before = first.read_bytes()
    assert "nothing written, nothing issued again" in hr.ok("bankfile", "--period", PERIOD, "--out", first)
    assert first.read_bytes() == before
    assert hr("bankfile", "--period", PERIOD, "--out", tmp_path / "bank2.csv", "--reissue")[0] == 2  # no reason
    said = hr.ok("bankfile", "--period", PERIOD, "--out", tmp_path / "bank2.csv", "--reissue", "--reason",
                 "bank lost the upload")
    assert "reissue 1" in said
    again = (tmp_path / "bank2.csv").read_bytes()
    head, _, body = again.partition(b"\n")
    assert body == before.partition(b"\n")[2]  # the same transfers, byte for byte
    assert head.startswith(before.partition(b"\n")[0]) and b"REISSUE 1" in head
    with open_warehouse(hr.store) as wh:
        entries = [json.loads(e.detail) for e in audit_trail(wh) if e.action == "bank file"]
        [payment] = ledger.payments(wh, M1)
        files = ledger.payment_files(wh, payment.payment_id)
    assert [(e["issue"], e.get("reissue")) for e in entries] == [(0, None), (1, "bank lost the upload")]
    assert [f.issue for f in files] == [0, 1] and files[1].reason == "bank lost the upload"
    assert issued(hr.store) == sent(first)  # a reissue issues nothing more
    # A rapel's second file likewise.
    correct(hr, lates[0], tmp_path / "adj")
    hr.ok("bankfile", "--period", PERIOD, "--correction", "--out", tmp_path / "rapel.csv")
    code, said = hr("bankfile", "--period", PERIOD, "--correction", "--out", tmp_path / "rapel2.csv")
    assert code == 3 and "TPP-2025-10-RAPEL-1" in said


def test_each_payment_is_reconciled_against_its_own_sp2d(hr: Eperf, lates: list[Path], tmp_path: Path) -> None:
    """Item 4: two exactly paid rapels on their own SP2D gave ``duplicate_transfer``, and
    ``paid_without_sp2d 3 Rp 0`` hid what the bank sent."""
    hr.ok("bankfile", "--period", PERIOD, "--out", tmp_path / "bank0.csv")
    for i in (0, 1):
        correct(hr, lates[i], tmp_path / f"adj{i}")
        hr.ok("bankfile", "--period", PERIOD, "--correction", "--out", tmp_path / f"rapel{i}.csv")
    hr.ok("simulate-payments", "--period", PERIOD, "--out", tmp_path / "epayment")
    hr.ok("ingest", "--data", tmp_path / "epayment")
    said = hr.ok("reconcile", "--period", PERIOD, "--out", tmp_path / "rekon")
    rows = pl.read_csv(tmp_path / "rekon" / "reconciliation.csv", schema_overrides={"nip": pl.String})
    seeded = pl.read_csv(tmp_path / "epayment" / "seeded.csv", schema_overrides={"nip": pl.String})
    # Each rapel on its own SP2D: every employee of it matched, no duplicate with the month.
    for i in (0, 1):
        rapel = rows.filter(pl.col("payment_id") == f"TPP-{PERIOD}-RAPEL-{i + 1}")
        assert set(rapel["class"]) == {"matched"}
        assert per_nip(rapel, "transferred_rp") == per_nip(transfers(tmp_path / f"rapel{i}.csv"))
    month = rows.filter(pl.col("payment_id") == f"TPP-{PERIOD}", pl.col("class") != "matched")
    assert sorted(month.select("nip", "class").rows()) == sorted(seeded.rows())
    # Money out without a paid SP2D shows what was sent (the right amount: difference 0).
    uncovered = month.filter(pl.col("class") == "paid_without_sp2d")
    assert uncovered.height == 3 and (uncovered["transferred_rp"] > 0).all()
    line = next(x for x in said.splitlines() if "paid_without_sp2d" in x)
    sent_rp = int(uncovered["transferred_rp"].sum())
    assert f"sent {rp(sent_rp)}" in line and "difference Rp 0" in line
    # Per OPD, each rapel's SP2D tie with its lines.
    opds = pl.read_csv(tmp_path / "rekon" / "reconciliation_opd.csv")
    assert set(opds.filter(pl.col("payment_id").str.contains("RAPEL"))["status"]) == {"tied"}


def test_unlock_says_what_it_did(hr: Eperf, lates: list[Path], tmp_path: Path) -> None:
    """Item 7: ``unlock`` printed only "run … is draft"."""
    hr.ok("ingest", "--data", lates[0])
    hr.ok("adjust", "--period", PERIOD, "--out", tmp_path / "adj")
    with open_warehouse(hr.store) as wh:
        [run, correction] = [e.run_id for e in audit_trail(wh) if e.action in ("lock", "adjust")]
    said = hr.ok("unlock", "--period", PERIOD, "--reason", "SK PLT terlambat")
    assert f"run {run} was locked and is draft again (reason: SK PLT terlambat)" in said
    assert f"correction {correction} (draft, not paid) is superseded" in said


def test_explain_says_what_a_correction_changed_and_what_was_paid(hr: Eperf, lates: list[Path],
                                                                   tmp_path: Path) -> None:
    """Item 7: after a locked correction, ``explain`` said "a correction would not change this
    pay" while the correction changed it, and ``--run`` claimed another code version."""
    hr.ok("bankfile", "--period", PERIOD, "--out", tmp_path / "bank0.csv")
    rows = correct(hr, lates[0], tmp_path / "adj")
    nip, delta = rows.filter(pl.col("field") == "net_rp").select("nip", "delta_rp").row(0)
    with open_warehouse(hr.store) as wh:
        [run, correction] = [e.run_id for e in audit_trail(wh) if e.action in ("lock", "adjust")][:2]
        locked_net = per_nip(kept_outputs(wh, str(run))["pay_register"])[nip]
    said = hr.ok("explain", "--period", PERIOD, "--nip", nip)
    assert f"Correction {correction} (locked, not paid) changed this pay against the locked run:" in said
    assert f"net_rp: {rp(locked_net)} → {rp(locked_net + delta)} (+{rp(delta)})" in said
    assert "would not change" not in said
    hr.ok("bankfile", "--period", PERIOD, "--correction", "--out", tmp_path / "rapel.csv")
    said = hr.ok("explain", "--period", PERIOD, "--nip", nip)
    assert f"(locked, paid in TPP-{PERIOD}-RAPEL-1 on " in said
    # By hand: the month paid the locked net, the rapel the delta; together what is due now.
    assert (f"TPP-{PERIOD} {rp(locked_net)}, TPP-{PERIOD}-RAPEL-1 {rp(delta)}; {rp(locked_net + delta)} in all"
            in said)
    for kept in (run, correction):  # the same code kept both: no claim otherwise
        said = hr.ok("explain", "--period", PERIOD, "--nip", nip, "--run", str(kept))
        assert "this version of eperf computes" not in said


def test_ingest_says_late_data_once(hr: Eperf, lates: list[Path], tmp_path: Path) -> None:
    """Item 7: every later ingest of already-loaded files printed "late data for locked …" again
    and added an audit entry, while ``adjust`` said there was nothing new."""
    assert f"late data for locked {PERIOD}" in hr.ok("ingest", "--data", lates[0])
    hr.ok("adjust", "--period", PERIOD, "--out", tmp_path / "adj")
    hr.ok("approve", "--period", PERIOD, "--correction")
    hr.ok("lock", "--period", PERIOD, "--correction")
    with open_warehouse(hr.store) as wh:
        before = [e for e in audit_trail(wh) if e.action == "late data"]
    again = hr.ok("ingest", "--data", lates[0])
    assert "already loaded" in again and "late data" not in again
    with open_warehouse(hr.store) as wh:
        assert [e for e in audit_trail(wh) if e.action == "late data"] == before
    code, said = hr("adjust", "--period", PERIOD, "--out", tmp_path / "adj2")
    assert code == 3 and "nothing new to correct" in said


def test_a_bank_file_written_before_the_ledger_is_adopted(hr: Eperf, tmp_path: Path) -> None:
    """A warehouse from an eperf without a ledger: its bank file is entered as that eperf made
    it, so the month is not paid again."""
    hr.ok("bankfile", "--period", PERIOD, "--out", tmp_path / "bank0.csv")
    with open_warehouse(hr.store) as wh:  # as the earlier eperf left it: an audit entry, no ledger
        for table in ("payments", "payment_lines", "payment_files"):
            wh.rows(f"delete from {table}")
        [(seq, detail)] = wh.rows("select seq, detail from audit where action = 'bank file'")
        said = json.loads(detail)
        old = {"employees": said["transfers"], "net_rp": said["net_rp"], "file": said["file"], "correction": False}
        wh.rows("update audit set detail = ? where seq = ?", [json.dumps(old), seq])
    code, said = hr("bankfile", "--period", PERIOD, "--out", tmp_path / "bank1.csv")
    assert code == 3 and "a second file for it is refused" in said
    assert hr("unlock", "--period", PERIOD, "--reason", "x")[0] == 3
    assert issued(hr.store) == sent(tmp_path / "bank0.csv")
