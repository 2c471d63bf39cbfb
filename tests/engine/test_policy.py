"""§5 policy: effective-dated versions, defaults, merging, and errors naming the key."""

import datetime as dt

import pytest

from engine.policy import Allocation, PolicyError, ProductivityRule, build_policy, policy_for_period

JAN, MAR, JUN = dt.date(2025, 1, 1), dt.date(2025, 3, 1), dt.date(2025, 6, 1)


def _doc(*versions: dict) -> dict:
    return {"version": list(versions)}


def test_latest_effective_version_whatever_the_order() -> None:
    doc = _doc({"effective_from": JUN, "id": "new", "allocation": "share"},
               {"effective_from": JAN, "id": "old"}, {"effective_from": MAR, "id": "mid"})
    assert policy_for_period(doc, dt.date(2025, 5, 1)).id == "mid"
    assert policy_for_period(doc, JUN).allocation is Allocation.SHARE
    with pytest.raises(PolicyError, match="no version has effective_from <= 2024-12-01"):
        policy_for_period(doc, dt.date(2024, 12, 1))


def test_missing_key_takes_spec_default_not_older_version() -> None:
    doc = _doc({"effective_from": JAN, "plt_bp": 3500, "minutes_per_day": 360},
               {"effective_from": MAR})
    pol = policy_for_period(doc, MAR)
    assert (pol.plt_bp, pol.minutes_per_day, pol.credit_minutes_per_day) == (2000, 300, 300)


def test_tables_merge_and_lists_replace() -> None:
    pol = build_policy({"effective_from": JAN, "status_bp": {"CPNS": 9000},
                        "status_deduction_bp": {"I": 50}, "pph21_rate_bp": {"PPPK": {"IX": 250}},
                        "schedule": {"start": "07:00"}, "credit_statuses": ["DL"]})
    assert dict(pol.status_bp) == {"PNS": 10000, "CPNS": 9000, "PPPK": 10000}
    assert dict(pol.status_deduction_bp) == {"TK": 300, "I": 50, "S": 0}
    assert pol.pph21_rate_bp["PPPK"]["IX"] == 250 and pol.pph21_rate_bp["PPPK"]["XIII"] == 1500
    assert (pol.schedule_start_min, pol.schedule_end_min) == (420, 960)
    assert pol.credit_statuses == ("DL",)


def test_tiers_sorted_by_pct() -> None:
    pol = build_policy({"effective_from": JAN, "productivity_rule": "tiered", "productivity_tiers": [
        {"min_pct_of_target": 100, "bp": 10000}, {"min_pct_of_target": 50, "bp": 4000}]})
    assert pol.productivity_rule is ProductivityRule.TIERED
    assert [t.min_pct_of_target for t in pol.productivity_tiers] == [50, 100]


@pytest.mark.parametrize(("version", "message"), [
    ({"daily_cap": 420}, "unknown key 'daily_cap'"),
    ({"plt_bp": "2000"}, "plt_bp must be an integer"),
    ({"plt_bp": 12000}, "plt_bp = 12000 is outside 0–10000"),
    ({"w_discipline_bp": 5000}, "must be 10000"),
    ({"allocation": "equal"}, "allocation = 'equal' is not one of scale, share"),
    ({"status_bp": {"HONORER": 5000}}, "unknown entry status_bp.HONORER"),
    ({"pph21_rate_bp": {"PNS": {"V": 0}}}, "unknown golongan pph21_rate_bp.PNS.V"),
    ({"schedule": {"start": "7:30"}}, "schedule.start must be a string \"HH:MM\""),
    ({"credit_statuses": ["XX"]}, "credit_statuses"),
    ({"productivity_tiers": [{"min_pct_of_target": 50, "bp": 6000},
                             {"min_pct_of_target": 80, "bp": 5000}]}, "bp falls"),
    ({"tl_psw_bands": [{"min_minutes": 1}]}, "tl_psw_bands must be a list"),
    ({"status_deduction_bp": {"TK": -1}}, "status_deduction_bp.TK = -1 is outside"),
    ({"pph21": "ter_final"}, "pph21 = 'ter_final' is not one of final_golongan, borne, ter, ter_borne"),
    ({"extra_payments": [{"period": "2025-03", "kind": "thr", "bp": 10000},
                         {"period": "2025-03", "kind": "gaji13", "bp": 10000}]},
     "extra_payments: two extra payments in 2025-03"),
    ({"extra_payments": [{"period": "2025-03", "kind": "bonus", "bp": 10000}]},
     "extra_payments.kind = 'bonus' is not one of thr, gaji13"),
    ({"extra_payments": [{"period": "2025-03", "kind": "thr", "bp": 10001}]},
     "extra_payments.bp = 10001 is outside 0–10000"),
    ({"extra_payments": [{"period": "2025-3", "kind": "thr", "bp": 10000}]},
     "extra_payments.period = '2025-3' is not YYYY-MM"),
    ({"extra_payments": [{"period": "2025-03", "kind": "thr"}]}, "extra_payments must be a list"),
    ({"extra_payments": {"period": "2025-03", "kind": "thr", "bp": 1}}, "extra_payments must be a list"),
])
def test_errors_name_the_key(version: dict, message: str) -> None:
    with pytest.raises(PolicyError, match=message.replace("(", r"\(").replace(".", r"\.")):
        build_policy({"effective_from": JAN, **version})


def test_document_errors() -> None:
    with pytest.raises(PolicyError, match="no \\[\\[version\\]\\] table"):
        policy_for_period({}, JAN)
    with pytest.raises(PolicyError, match="effective_from must be a TOML date"):
        policy_for_period(_doc({"effective_from": "2025-01-01"}), JAN)
    with pytest.raises(PolicyError, match="unknown top-level key 'plt_bp'"):
        policy_for_period({"plt_bp": 1, "version": [{"effective_from": JAN}]}, JAN)


def test_policy_is_frozen() -> None:
    pol = build_policy({"effective_from": JAN})
    with pytest.raises(AttributeError):
        pol.plt_bp = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        pol.status_bp["PNS"] = 1  # type: ignore[index]


def test_a_changed_policy_is_checked_and_fingerprinted_as_a_version_is() -> None:
    base = build_policy({"effective_from": dt.date(2025, 1, 1), "id": "perwali-7"})
    changed = base.with_changes(daily_cap_minutes=480, allocation="share")
    assert (changed.daily_cap_minutes, changed.allocation, changed.id) == (480, Allocation.SHARE, "perwali-7")
    assert changed.fingerprint not in (base.fingerprint, build_policy(base.version).fingerprint)
    assert base.with_changes().fingerprint == base.fingerprint
    with pytest.raises(PolicyError, match="daily_cap_minutes"):
        base.with_changes(daily_cap_minutes=-5)
    with pytest.raises(PolicyError, match="must be 10000"):
        base.with_changes(w_productivity_bp=7000)


def test_regional_options_default_off_and_merge() -> None:
    pol = build_policy({"effective_from": JAN, "skp_bp": {"kurang": 2500}, "w_skp_bp": 2000,
                        "w_productivity_bp": 4000, "presence_gates": [{"min_pct": 50, "bp": 10000},
                                                                      {"min_pct": 25, "bp": 5000}]})
    assert dict(pol.skp_bp) == {"sangat_baik": 10000, "baik": 10000, "butuh_perbaikan": 5000, "kurang": 2500,
                                "sangat_kurang": 0}
    assert [(g.min_pct, g.bp) for g in pol.presence_gates] == [(25, 5000), (50, 10000)]  # any order in the file
    plain = build_policy({"effective_from": JAN})
    assert (plain.target_rule, plain.unpaid_statuses, plain.plt_min_days, plain.plt_rule, plain.december_full,
            plain.w_skp_bp, plain.skp_missing_bp, plain.activity_gate_pct, plain.presence_gates) == (
        "per_day", (), 0, "extra", False, 0, 0, 0, ())


@pytest.mark.parametrize(("version", "message"), [
    ({"w_skp_bp": 2000}, "w_discipline_bp + w_productivity_bp + w_skp_bp = 12000, must be 10000"),
    ({"w_skp_bp": -1000, "w_productivity_bp": 7000}, "w_skp_bp = -1000 is outside 0–10000"),
    ({"presence_gates": [{"min_pct": 25, "bp": 6000}, {"min_pct": 50, "bp": 5000}]}, "bp falls as min_pct rises"),
    ({"presence_gates": [{"min_pct": 25, "bp": 5000}, {"min_pct": 25, "bp": 6000}]}, "repeat a min_pct"),
    ({"presence_gates": [{"min_pct": 101, "bp": 5000}]}, "presence_gates.min_pct = 101 must be 0–100"),
    ({"presence_gates": [{"min_pct": 10, "bp": 10001}]}, "presence_gates.bp = 10001 is outside"),
    ({"presence_gates": [{"min_pct": 10}]}, "presence_gates must be a list"),
    ({"unpaid_statuses": ["H"]}, "unpaid_statuses must be a list of attendance statuses other than H"),
    ({"unpaid_statuses": ["XX"]}, "unpaid_statuses"),
    ({"unpaid_statuses": "TB"}, "unpaid_statuses"),
    ({"skp_bp": {"cukup": 5000}}, "unknown entry skp_bp.cukup"),
    ({"skp_bp": {"baik": 12000}}, "skp_bp.baik = 12000 is outside"),
    ({"skp_missing_bp": 10001}, "skp_missing_bp = 10001 is outside"),
    ({"december_full": 1}, "december_full must be true or false"),
    ({"target_rule": "weekly"}, "target_rule = 'weekly' is not one of per_day, monthly"),
    ({"plt_rule": "acting"}, "plt_rule = 'acting' is not one of extra, higher_post"),
    ({"target_minutes_month": 0}, "target_minutes_month = 0 must be 60"),
    ({"plt_min_days": 32}, "plt_min_days = 32 must be 0–31"),
    ({"activity_gate_pct": 150}, "activity_gate_pct = 150 must be 0–100"),
])
def test_regional_errors_name_the_key(version: dict, message: str) -> None:
    with pytest.raises(PolicyError, match=message.replace("(", r"\(").replace(".", r"\.").replace("+", r"\+")):
        build_policy({"effective_from": JAN, **version})


def test_cb_cltn_tb_are_attendance_statuses() -> None:
    pol = build_policy({"effective_from": JAN, "status_deduction_bp": {"CB": 300},
                        "unpaid_statuses": ["CLTN", "TB"], "credit_statuses": ["DL", "TB"]})
    assert pol.status_deduction_bp["CB"] == 300 and pol.unpaid_statuses == ("CLTN", "TB")
