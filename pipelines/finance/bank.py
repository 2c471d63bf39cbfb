"""Finance (BPKAD): the bank transfer file of a locked run or of its locked correction (rapel),
and the name mask of every other report."""

from __future__ import annotations

import polars as pl

from engine import Period
from pipelines.warehouse.lifecycle import KeptRun, current_correction, locked_run, paid_base
from pipelines.warehouse.store import Refused, RunStatus, Warehouse, kept_outputs

BANK_FILE_COLUMNS = ("nip", "name", "bank_account", "net_rp")


def bank_file(wh: Warehouse, period: Period, correction: bool = False) -> pl.DataFrame:
    """``nip, name, bank_account, net_rp`` of the locked run, for every employee with net pay;
    with ``correction``, the rapel transfer list of the period's locked correction: what it
    adds to each employee's net over what was paid before it (a recovery is not a transfer: it
    is withheld from a later payment).

    The only output with personal data unmasked: it is refused for a run or correction not
    locked, and for a correction superseded."""
    if correction:
        net = rapel_net(wh, period, "a rapel transfer file")[1]
    else:
        net = kept_outputs(wh, locked_run(wh, period, "a bank transfer file").run_id)["pay_register"]
    people = wh.table("employees", columns=("nip", "name", "bank_account"))
    return (net.filter(pl.col("net_rp") > 0).select("nip", "net_rp")
            .join(people, on="nip", how="left").select(BANK_FILE_COLUMNS).sort("nip"))


def negative_nets(wh: Warehouse, period: Period) -> pl.DataFrame:
    """``nip, net_rp`` of the locked run's employees whose net is negative: a last month's PPh 21
    true-up larger than the month's pay and extra payment (SPEC §4.9). The bank file sends them
    nothing; the treasurer recovers the amount, listed apart."""
    register = kept_outputs(wh, locked_run(wh, period, "a bank transfer file").run_id)["pay_register"]
    return register.filter(pl.col("net_rp") < 0).select("nip", "net_rp").sort("nip")


def rapel_net(wh: Warehouse, period: Period, purpose: str) -> tuple[KeptRun, pl.DataFrame]:
    """The period's locked correction and ``nip, net_rp``: what it adds to (or takes from) each
    employee's net over what was paid before it. Refused (saying ``purpose`` needs it) when the
    period has no correction, or its latest is not locked."""
    locked, latest = current_correction(wh, period, purpose)
    if latest.status != RunStatus.LOCKED:
        raise Refused(f"correction {latest.run_id} is {latest.status}: {purpose} is made from a locked correction "
                      f"(`eperf approve --period {period} --correction`, then lock it)")
    was = kept_outputs(wh, paid_base(wh, locked, before=latest).run_id)["pay_register"]
    now = kept_outputs(wh, latest.run_id)["pay_register"]
    paid = was.select("nip", pl.col("net_rp").alias("paid"))
    return latest, now.select("nip", "net_rp").join(paid, on="nip", how="left").select(
        "nip", pl.col("net_rp") - pl.col("paid").fill_null(0))


def mask_name(name: pl.Expr) -> pl.Expr:
    """Each word's first letter and stars: ``Siti Rahayu`` → ``S*** R*****``."""
    word = pl.element()
    stars = word.str.slice(0, 1) + word.str.slice(1).str.replace_all(".", "*")
    return name.str.split(" ").list.eval(stars).list.join(" ")
