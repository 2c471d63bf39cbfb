"""`eperf generate`: deterministic, valid against every contract, and the §7 invariants hold on it."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from engine import Period
from pipelines.month.backends import Backend
from pipelines.month.run import month_from_folder
from pipelines.synthetic.city import generate_city
from tests.city import IN_PROCESS
from tests.folders import snapshot

MONTHS = ("2025-10", "2025-11")


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("city")
    generate_city(out, employees=400, seed=11, months=MONTHS)
    return out


def test_same_seed_same_bytes_other_seed_other_city(city: Path, tmp_path: Path) -> None:
    generate_city(tmp_path / "again", employees=400, seed=11, months=MONTHS)
    generate_city(tmp_path / "other", employees=400, seed=12, months=MONTHS)
    assert snapshot(tmp_path / "again") == snapshot(city)
    assert snapshot(tmp_path / "other") != snapshot(city)


def test_city_shape(city: Path) -> None:
    employees = pl.read_csv(city / "hr" / "employees.csv", infer_schema=False)
    assert employees.height == 400 and employees["nip"].n_unique() == 400
    assert employees["opd_code"].n_unique() == 66
    share = employees["status"].value_counts(normalize=True).rows()
    assert {s for s, _ in share} == {"PNS", "CPNS", "PPPK"}
    assert 0.2 < dict(share)["PPPK"] < 0.4
    assert sorted(p.name for p in (city / "ekinerja" / "activity_log").iterdir()) == [f"period={m}" for m in MONTHS]


@pytest.mark.parametrize("month", MONTHS)
def test_generated_month_is_valid_and_keeps_the_invariants(city: Path, month: str) -> None:
    runs = {b: month_from_folder(city, Period.parse(month), b) for b in IN_PROCESS}
    run = runs[Backend.POLARS]
    assert run.data.rejects.height == 0
    assert all(load.accepted + load.rejected == load.rows_read for load in run.data.loads)
    reg = run.result.pay_register.to_native()
    assert reg.height > 380  # a few joiners and leavers may fall outside the month
    assert ((reg["pay_rp"] >= 0) & (reg["pay_rp"] <= reg["cap_rp"]) & (reg["pay_rp"] <= reg["entitlement_rp"])).all()
    for pool in run.result.pool_summary.rows(named=True):
        paid = reg.filter(pl.col("pool_id") == pool["pool_id"])["pay_rp"].sum()
        assert paid == pool["pay_rp"] <= pool["pool_rp"]
        if pool["binding"]:
            assert paid == pool["pool_rp"]
    assert reg.equals(runs[Backend.DUCKDB].result.pay_register.to_native())
