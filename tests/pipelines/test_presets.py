"""The regions' presets (policies/): each one generates a city that runs on day one; `eperf policy
check` and `eperf policy show` read them as an HR officer would."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner, Result

from engine import Period
from engine.policy import build_policy
from pipelines.cli import app
from pipelines.month.run import load_policy
from pipelines.policies import PRESETS, preset_names
from tests.pipelines.editing import PERIOD, copy_city, needs_example

DECEMBER = "2025-12"


def eperf(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def test_the_presets_are_found_beside_the_code() -> None:
    assert preset_names() == ["balangan", "banjarmasin", "manado", "national-reference", "surabaya"]
    assert PRESETS == Path(__file__).resolve().parents[2] / "policies"


@pytest.fixture(scope="module", params=["balangan", "banjarmasin", "manado", "national-reference", "surabaya"])
def preset_city(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """A 200-employee December generated under each preset and run with `eperf run`."""
    preset = request.param
    root = tmp_path_factory.mktemp(preset)
    made = eperf("generate", "--out", str(root / "data"), "--employees", "200", "--months", DECEMBER,
                 "--policy", preset)
    assert made.exit_code == 0, made.output
    ran = eperf("run", "--data", str(root / "data"), "--period", DECEMBER, "--out", str(root / "run"))
    assert ran.exit_code == 0, ran.output
    return preset, root


def test_every_preset_generates_a_city_that_runs(preset_city: tuple[str, Path]) -> None:
    preset, root = preset_city
    data = root / "data"
    assert (data / "policy.toml").read_text() == (PRESETS / preset / "policy.toml").read_text()
    attendance = pl.read_csv(data / "eabsensi" / "attendance" / f"period={DECEMBER}" / "attendance.csv",
                             infer_schema=False)
    statuses = set(attendance["status"])
    assert {"CB", "CLTN", "TB"} <= statuses
    assert pl.read_csv(data / "hr" / "skp.csv").height > 200
    reg = pl.read_parquet(root / "run" / "pay_register.parquet")
    assert pl.read_parquet(root / "run" / "rejects.parquet").height == 0
    assert reg.height > 190 and ((reg["pay_rp"] >= 0) & (reg["pay_rp"] <= reg["cap_rp"])).all()
    policy = load_policy(data, Period.parse(DECEMBER))
    if policy.december_full:  # Balangan: December at the ceiling for everyone
        assert (reg["score_bp"] == 10000).all() and (reg["entitlement_rp"] == reg["cap_rp"]).all()
    assert (reg["working_days"] == 21).all()  # December 2025: 23 weekdays less Christmas and its cuti bersama
    if policy.unpaid_statuses:  # national reference: CLTN and TB employees lose those days, or the month
        away = attendance.filter(pl.col("status").is_in(list(policy.unpaid_statuses)))["nip"].unique()
        assert away.len() >= 2
        assert (reg.filter(pl.col("nip").is_in(away.implode()))["active_days"] < 21).all()


def test_policy_check_prints_each_version_and_the_months_in_force() -> None:
    result = eperf("policy", "check", "banjarmasin", "--year", "2022")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].endswith("banjarmasin/policy.toml: 2 versions, every one valid")
    assert lines[1:3] == ["  effective_from 2021-01-01  banjarmasin-2021",
                          "  effective_from 2023-01-01  banjarmasin-2023"]
    assert lines[3:] == ["In force, 2022–2023:", "  2022-01 … 2022-12   banjarmasin-2021",
                         "  2023-01 … 2023-12   banjarmasin-2023"]
    early = eperf("policy", "check", "manado", "--year", "2022").output.splitlines()
    assert early[-2:] == ["  2022-01 … 2022-12   no version in force: a run of these months stops",
                          "  2023-01 … 2023-12   manado-siladen"]


def test_policy_check_refuses_a_bad_file_naming_the_key(tmp_path: Path) -> None:
    bad = tmp_path / "policy.toml"
    bad.write_text("[[version]]\neffective_from = 2025-01-01\nw_skp_bp = 2000\n")
    result = eperf("policy", "check", str(bad))
    assert result.exit_code == 2
    assert "w_discipline_bp + w_productivity_bp + w_skp_bp = 12000, must be 10000" in result.stderr
    unknown = eperf("policy", "check", "atlantis")
    assert unknown.exit_code == 2 and "presets: balangan, banjarmasin" in unknown.stderr


def test_policy_show_fills_every_default_and_reads_back_the_same(preset_city: tuple[str, Path]) -> None:
    _, root = preset_city
    result = eperf("policy", "show", "--data", str(root / "data"), "--period", DECEMBER)
    assert result.exit_code == 0, result.output
    shown = tomllib.loads(result.output)["version"][0]
    assert {"presence_gates", "skp_bp", "plt_rule", "bpjs_ceiling_rp"} <= set(shown)
    in_force = load_policy(root / "data", Period.parse(DECEMBER))
    assert build_policy(shown).fingerprint == in_force.fingerprint


def test_generate_refuses_months_before_the_preset(tmp_path: Path) -> None:
    result = eperf("generate", "--out", str(tmp_path / "city"), "--employees", "200", "--months", "2022-06",
                   "--policy", "manado")
    assert result.exit_code == 2 and "no version is in force in 2022-06" in result.stderr


@needs_example
def test_skp_csv_is_a_contract_like_every_input(tmp_path: Path) -> None:
    """hr/skp.csv in the spec example city-9004 (whose policy does not weigh SKP): good rows accepted,
    an unknown NIP, a predikat outside the five, a bad date and a repeated key each rejected with their
    reason, every row counted in the manifest; the register is unchanged."""
    data = copy_city(tmp_path)
    clean = eperf("run", "--data", str(data), "--period", PERIOD, "--out", str(tmp_path / "clean"))
    assert clean.exit_code == 0, clean.output
    nip = pl.read_csv(data / "hr" / "employees.csv", infer_schema=False)["nip"][0]
    (data / "hr" / "skp.csv").write_text(
        "nip,period_end,predikat\n"
        f"{nip},2024-06-30,baik\n"
        f"{nip},2024-03-31,kurang\n"
        "199901012020011999,2024-06-30,baik\n"      # row 3: not an employee
        f"{nip},2023-12-31,cukup\n"                # row 4: not a predikat
        f"{nip},2024-13-31,baik\n"                 # row 5: not a date
        f"{nip},2024-06-30,sangat_baik\n")         # row 6: the key of row 1 again
    out = tmp_path / "run"
    result = eperf("run", "--data", str(data), "--period", PERIOD, "--out", str(out))
    assert result.exit_code == 0, result.output
    rejects = pl.read_parquet(out / "rejects.parquet").filter(pl.col("file") == "hr/skp.csv")
    assert rejects.select("row", "column").rows() == [(3, "nip"), (4, "predikat"), (5, "period_end"),
                                                      (6, "nip, period_end")]
    assert "unknown reference" in rejects["reason"][0] and "allowed set" in rejects["reason"][1]
    manifest = json.loads((out / "manifest.json").read_text())
    [load] = [x for x in manifest["inputs"] if x["file"] == "hr/skp.csv"]
    assert (load["rows_read"], load["accepted"], load["rejected"]) == (6, 2, 4)
    registers = [pl.read_parquet(p / "pay_register.parquet").drop("run_id") for p in (tmp_path / "clean", out)]
    assert registers[0].equals(registers[1])
