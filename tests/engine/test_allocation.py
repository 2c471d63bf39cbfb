"""§4.7 allocation: scale and share, exact largest remainder, on every backend."""

import narwhals.stable.v2 as nw
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.allocation import allocate_scale, allocate_share
from pipelines.month.backends import Backend, lazy_frame


def _allocate(mode, backend: Backend, pool_rp: int, ent: list[int], cap: list[int] | None = None,
              nips: list[str] | None = None) -> tuple[list[int], float]:
    n = len(ent)
    frame = pl.DataFrame({
        "pool_id": ["P"] * n, "nip": nips or [f"{i:018d}" for i in range(1, n + 1)],
        "pool_rp": [pool_rp] * n, "entitlement_rp": ent, "cap_rp": cap or ent,
    })
    out = mode(lazy_frame(frame, backend)).collect("polars").sort("nip")
    return out["pay_rp"].to_list(), out["lambda"][0]


def test_scale_not_binding_pays_entitlement(backend: Backend) -> None:
    assert _allocate(allocate_scale, backend, 1000, [10, 20]) == ([10, 20], 1.0)


def test_scale_exact_shares(backend: Backend) -> None:
    # pool 100 over 60 and 90: 40 and 60 exactly, λ = 100/150.
    pay, lam = _allocate(allocate_scale, backend, 100, [60, 90])
    assert pay == [40, 60] and lam == pytest.approx(2 / 3)


def test_scale_leftover_goes_to_largest_remainder(backend: Backend) -> None:
    # pool 7 over 10, 20, 30: 1.1667, 2.3333, 3.5 → floors 1, 2, 3 (= 6); the leftover Rupiah to 3.5.
    assert _allocate(allocate_scale, backend, 7, [10, 20, 30])[0] == [1, 2, 4]


def test_scale_ties_go_to_smallest_nip(backend: Backend) -> None:
    # 100 over three equal entitlements: 33⅓ each; the one leftover Rupiah to the smallest NIP.
    pay, _ = _allocate(allocate_scale, backend, 100, [50, 50, 50], nips=["3" * 18, "1" * 18, "2" * 18])
    assert pay == [34, 33, 33]  # sorted by nip: 111…, 222…, 333…


def test_scale_beyond_int64(backend: Backend) -> None:
    # 30,000 × Rp 50,000,000 = Rp 1.5 trillion against a Rp 1 trillion pool: e × T = 5·10^19 > 2^63.
    # Each share 33,333,333.33…: floors sum to 999,999,990,000, so 10,000 smallest NIPs get +1.
    pay, _ = _allocate(allocate_scale, backend, 10**12, [50_000_000] * 30_000)
    assert sum(pay) == 10**12
    assert pay[:10_000] == [33_333_334] * 10_000 and pay[10_000:] == [33_333_333] * 20_000


def test_share_water_filling(backend: Backend) -> None:
    # pool 150, (ent, cap) = (50, 60), (50, 100): the first saturates at 60; the second gets 90, λ = 1.8.
    pay, lam = _allocate(allocate_share, backend, 150, [50, 50], [60, 100])
    assert pay == [60, 90] and lam == pytest.approx(1.8)


def test_share_not_binding_pays_caps(backend: Backend) -> None:
    # pool above Σ cap = 160: everyone at cap; λ = the largest cap/entitlement = 100/50.
    pay, lam = _allocate(allocate_share, backend, 1000, [50, 50], [60, 100])
    assert pay == [60, 100] and lam == pytest.approx(2.0)


def test_share_zero_entitlement_gets_nothing(backend: Backend) -> None:
    pay, _ = _allocate(allocate_share, backend, 1000, [0, 50], [500, 100])
    assert pay == [0, 100]


def test_share_below_entitlement_is_proportional(backend: Backend) -> None:
    # pool 7 far below: nobody saturates, λ = 7/60 as in scale mode → 1, 2, 4.
    pay, lam = _allocate(allocate_share, backend, 7, [10, 20, 30], [100, 100, 100])
    assert pay == [1, 2, 4] and lam == pytest.approx(7 / 60)


def _sweep(mode, backend: Backend, ent: list[int], cap: list[int], nips: list[str]) -> pl.DataFrame:
    """``mode`` on one pool of every size from Rp 0 to Rp 2 past Σ cap, all in one frame."""
    pools = range(sum(cap) + 3)
    frame = pl.DataFrame({
        "pool_id": [f"{t:09d}" for t in pools for _ in ent], "nip": nips * len(pools),
        "pool_rp": [t for t in pools for _ in ent], "entitlement_rp": ent * len(pools), "cap_rp": cap * len(pools),
    })
    return mode(lazy_frame(frame, backend)).collect("polars").to_native()


def _assert_exact_capped_and_monotone(out: pl.DataFrame, capped: bool) -> None:
    """Every pool paid exactly min(pool, Σ ceiling), each within 0 … ceiling (the cap in share
    mode, nothing without entitlement; the entitlement in scale mode); λ never falls as the pool
    grows; and whoever has at least another's entitlement and cap is never paid less, but for
    the one Rupiah that equal shares (equal entitlements, both below their caps) give the
    smaller NIP."""
    ent = pl.col("entitlement_rp")
    ceiling = pl.when(ent > 0).then(pl.col("cap_rp")).otherwise(0) if capped else ent
    pools = out.group_by("pool_id").agg(pl.col("pool_rp").first(), pl.col("pay_rp").sum(),
                                        ceiling.sum().alias("ceiling"), pl.col("lambda").first()).sort("pool_rp")
    assert pools.select((pl.col("pay_rp") == pl.min_horizontal("pool_rp", "ceiling")).all()).item()
    assert out.select(((pl.col("pay_rp") >= 0) & (pl.col("pay_rp") <= ceiling)).all()).item()
    assert (pools["lambda"].diff().drop_nulls() >= 0).all()
    pairs = out.join(out, on="pool_id", suffix="_j").filter(
        pl.col("entitlement_rp") >= pl.col("entitlement_rp_j"), pl.col("cap_rp") >= pl.col("cap_rp_j"),
        pl.col("pay_rp") < pl.col("pay_rp_j"))
    tie = ((pl.col("entitlement_rp") == pl.col("entitlement_rp_j")) & (pl.col("nip_j") < pl.col("nip"))
           & (pl.col("pay_rp_j") == pl.col("pay_rp") + 1))
    assert pairs.filter(~tie).is_empty(), pairs.filter(~tie)


@pytest.mark.parametrize("mode", [allocate_scale, allocate_share], ids=["scale", "share"])
def test_every_pool_size_is_used_exactly_capped_and_monotone(mode, backend: Backend) -> None:
    # Eight employees, pools Rp 0 … Rp 250 (past Σ cap = 248): one saturates at once (3, 3), one
    # is owed nothing (0, 9), and two share an entitlement of 29, the larger cap on the larger NIP.
    ent = [13, 7, 29, 41, 3, 17, 29, 0]
    cap = [20, 30, 31, 80, 3, 40, 35, 9]
    out = _sweep(mode, backend, ent, cap if mode is allocate_share else ent, [f"{i:018d}" for i in range(1, 9)])
    _assert_exact_capped_and_monotone(out, capped=mode is allocate_share)
    share = out.filter(pl.col("pool_rp") == 123).sort("nip")
    assert mode is allocate_scale or share["pay_rp"][4] == 3  # saturates first (cap/ent = 1)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 60), st.integers(0, 40)), min_size=1, max_size=7),
       st.sampled_from(["scale", "share"]))
def test_any_pool_is_used_exactly_capped_and_monotone(employees: list[tuple[int, int]], mode: str) -> None:
    ent = [e for e, _ in employees]
    cap = [e + extra for e, extra in employees] if mode == "share" else ent
    out = _sweep(allocate_share if mode == "share" else allocate_scale, Backend.POLARS, ent, cap,
                 [f"{i:018d}" for i in range(len(ent), 0, -1)])
    _assert_exact_capped_and_monotone(out, capped=mode == "share")


def test_allocate_keeps_other_columns() -> None:
    frame = pl.DataFrame({"pool_id": ["P"], "nip": ["1"], "pool_rp": [5], "entitlement_rp": [9],
                          "cap_rp": [9], "extra": ["x"]})
    out = allocate_scale(nw.from_native(frame.lazy())).collect("polars")
    assert out.columns == ["pool_id", "nip", "pool_rp", "entitlement_rp", "cap_rp", "extra", "binding",
                           "pay_rp", "lambda"]
