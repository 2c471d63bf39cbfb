"""Finance (BPKAD): the bank transfer file of a locked run, and the name mask of every other
report."""

from __future__ import annotations

import polars as pl

from engine import Period
from pipelines.warehouse.lifecycle import locked_run
from pipelines.warehouse.store import Warehouse, kept_outputs

BANK_FILE_COLUMNS = ("nip", "name", "bank_account", "net_rp")


def bank_file(wh: Warehouse, period: Period) -> pl.DataFrame:
    """``nip, name, bank_account, net_rp`` of the locked run, for every employee with net pay.

    The only output with personal data unmasked: it is refused for a period not locked."""
    run = locked_run(wh, period, "a bank transfer file")
    register = kept_outputs(wh, run.run_id)["pay_register"]
    people = wh.table("employees", columns=("nip", "name", "bank_account"))
    return (register.filter(pl.col("net_rp") > 0).select("nip", "net_rp")
            .join(people, on="nip", how="left").select(BANK_FILE_COLUMNS).sort("nip"))


def mask_name(name: pl.Expr) -> pl.Expr:
    """Each word's first letter and stars: ``Siti Rahayu`` → ``S*** R*****``."""
    word = pl.element()
    stars = word.str.slice(0, 1) + word.str.slice(1).str.replace_all(".", "*")
    return name.str.split(" ").list.eval(stars).list.join(" ")
