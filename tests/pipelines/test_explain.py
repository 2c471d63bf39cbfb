"""`eperf explain`: the words carry the register's own Rupiah and the days behind them."""

from __future__ import annotations

import datetime as dt

import polars as pl
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.month.explain import _productivity_days
from tests.city import policy
from tests.pipelines.editing import EXAMPLE, PERIOD, needs_example

NIP = "196202191994121302"  # city-9004, expected register: entitlement 6,404,174, net 6,340,132


@needs_example
def test_explain_reads_out_the_register_row() -> None:
    result = CliRunner().invoke(app, ["explain", "--data", str(EXAMPLE / "data"), "--period", PERIOD, "--nip", NIP])
    assert result.exit_code == 0, result.output
    text = result.output
    assert f"TPP {PERIOD} for NIP {NIP}" in text
    assert "19 working days" in text and "proration 100.00 %" in text
    assert "6.960 counted minutes of a 5.130-minute target" in text
    assert "Deductions 14.50 % → discipline 85.50 %" in text
    assert "= Rp 6.404.174" in text and "Net TPP paid: Rp 6.340.132." in text
    assert text.count("→ −") >= 1  # at least one costly day, listed with its date


@needs_example
def test_explain_unknown_nip_exits_2() -> None:
    result = CliRunner().invoke(app, ["explain", "--data", str(EXAMPLE / "data"), "--period", PERIOD,
                                      "--nip", "199901012020011999"])
    assert result.exit_code == 2
    assert "is not an accepted employee" in result.output


def test_a_credit_day_is_credited_not_capped() -> None:
    # A DL day with 500 logged minutes counts its 300 credit minutes, not the 420 cap: it is
    # listed once, as credited; only the H day over the cap is listed as capped.
    days = pl.DataFrame({"work_date": [dt.date(2025, 2, 3), dt.date(2025, 2, 4)], "credit": [True, False],
                         "logged_minutes": [500, 500]})
    lines = _productivity_days(days, policy())
    assert lines == ["   1 day of leave/travel credited 300 minutes each (Mon 03 Feb).",
                     "   1 day logged more than the daily cap of 420 minutes and count at the cap (Tue 04 Feb)."]
