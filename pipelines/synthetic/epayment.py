"""e-Payment (``epayment/``): SP2D LS for the months before the generated ones (TPP, salaries, goods)
and the TPP transfers to each employee."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import polars as pl

from engine import DEFAULTS, Sp2dStatus, TransferStatus, values
from pipelines.synthetic.ebudgeting import TPP_ACCOUNTS, Costs, _tpp_matrix
from pipelines.synthetic.shared import EXTRA_MONTHS, _month_bounds, _working_day

PAID = Sp2dStatus.PAID.value


def _sp2d(opds: pl.DataFrame, costs: Costs, apbd: pl.DataFrame, periods: list[str], holidays: npt.NDArray[np.int32],
          rng: np.random.Generator) -> pl.DataFrame:
    """SP2D LS for every month of each fiscal year before its last generated month.

    TPP per OPD and account (~85 % of the month's cap, paid early the next month; ~2 %
    cancelled and reissued), in a month with an extra payment (:data:`EXTRA_MONTHS`) a second SP2D
    of the same amounts for it, salaries at the start of the month, and a few goods payments.
    """
    codes = opds["opd_code"].to_numpy()
    n = opds.height
    tpp_cap = _tpp_matrix(costs["cap"])
    tpp_codes = np.array([a[1] for a in TPP_ACCOUNTS])
    goods = apbd.filter(pl.col("account_code").str.starts_with("5.1.02"), pl.col("revision") == 0)
    frames = []
    for year in sorted({int(p[:4]) for p in periods}):
        last = max(int(p[5:]) for p in periods if int(p[:4]) == year)
        g = goods.filter(pl.col("fiscal_year") == year)
        for month in range(1, last):
            first, end = _month_bounds(f"{year}-{month:02d}")
            o, a = np.nonzero(tpp_cap > 0)
            paid_on = (end + rng.integers(4, 14, n) if month < 12 else first + rng.integers(17, 27, n))[o]
            tpp = pl.DataFrame({"opd_code": codes[o], "account_code": tpp_codes[a],
                                "gross_rp": np.rint(tpp_cap[o, a] * rng.uniform(0.82, 0.88, len(o))).astype(np.int64),
                                "day": paid_on, "status": PAID})
            redo = rng.random(len(o)) < 0.02
            cancelled = tpp.filter(pl.Series(redo)).with_columns(
                day=pl.col("day") - pl.Series(rng.integers(2, 7, int(redo.sum()))), status=pl.lit("cancelled"))
            salary = pl.DataFrame({
                "opd_code": np.concatenate([codes, codes]),
                "account_code": ["5.1.01.01.01.0001"] * n + ["5.1.01.01.01.0002"] * n,
                "gross_rp": np.rint(np.concatenate([costs["salary_pns"], costs["salary_pppk"]])
                                    * rng.uniform(0.99, 1.01, 2 * n)).astype(np.int64),
                "day": first + rng.integers(0, 3, 2 * n), "status": PAID}).filter(pl.col("gross_rp") > 0)
            pick = rng.integers(0, max(1, g.height), rng.poisson(1.2 * n)) if g.height else np.zeros(0, np.int64)
            spend = g[pick].select("opd_code", "account_code", gross_rp=(
                pl.col("pagu_rp") / 12 * pl.Series(rng.uniform(0.1, 0.8, len(pick)))).round().cast(pl.Int64)
            ).with_columns(day=pl.Series(first + rng.integers(0, end - first + 1, len(pick))), status=pl.lit(PAID))
            extra = tpp if month in EXTRA_MONTHS else tpp.clear()
            frames.append(pl.concat([tpp, extra, cancelled, salary, spend], how="vertical_relaxed")
                          .with_columns(fiscal_year=year, period=pl.lit(f"{year}-{month:02d}")))
    if not frames:
        return pl.DataFrame(schema={"sp2d_no": pl.String, "sp2d_date": pl.Date, "fiscal_year": pl.Int64,
                                    "opd_code": pl.String, "account_code": pl.String, "period": pl.String,
                                    "gross_rp": pl.Int64, "status": pl.String})
    sp2d = pl.concat(frames)
    sp2d = (sp2d.with_columns(day=_working_day(sp2d["day"].to_numpy(), holidays))
            .sort("fiscal_year", "day", "opd_code", "account_code", "period", "status", "gross_rp",
                  maintain_order=True))
    offset = {y: int(rng.integers(50, 400)) for y in sp2d["fiscal_year"].unique().sort()}
    return sp2d.with_columns(
        sp2d_no=pl.format("{}/SP2D/LS/{}/{}",
                          (pl.int_range(pl.len()).over("fiscal_year") + pl.col("fiscal_year").replace_strict(offset))
                          .cast(pl.String).str.zfill(5), pl.col("opd_code"), pl.col("fiscal_year")),
        sp2d_date=pl.col("day").cast(pl.Int32).cast(pl.Date),
    ).select("sp2d_no", "sp2d_date", "fiscal_year", "opd_code", "account_code", "period", "gross_rp", "status")


def _transfers(sp2d: pl.DataFrame, emp: pl.DataFrame, costs: Costs, periods: list[str],
               rng: np.random.Generator) -> pl.DataFrame:
    """Per-employee TPP transfers for the month before each generated month, on the OPD's paid
    beban-kerja SP2D of that month; net ≈ 80–97 % of cap less PPh; ~2 % failed, ~1 % returned."""
    wanted = sorted({str(np.datetime64(p, "M") - 1) for p in periods} & set(sp2d["period"].to_list()))
    people = emp.select("nip", "opd_code", "start", "end", "status", "golongan", cap=pl.Series(costs["emp_cap"]))
    frames = []
    for period in wanted:
        first, last = _month_bounds(period)
        frames.append(
            sp2d.filter(pl.col("period") == period, pl.col("status") == "paid",
                        pl.col("account_code") == TPP_ACCOUNTS[0][1])
            .select("sp2d_no", "opd_code", "period")
            .join(people.filter(pl.col("start") <= last, pl.col("end") >= first), on="opd_code"))
    if not frames:
        return pl.DataFrame(schema={"sp2d_no": pl.String, "nip": pl.String, "period": pl.String,
                                    "net_rp": pl.Int64, "status": pl.String})
    t = pl.concat(frames).sort("sp2d_no", "nip")
    rates = {f"{s}/{g}": bp / 10_000 for s, by_golongan in DEFAULTS["pph21_rate_bp"].items()
             for g, bp in by_golongan.items()}
    tax = pl.concat_str("status", "golongan", separator="/").replace_strict(rates, default=0.0, return_dtype=pl.Float64)
    status = rng.choice(values(TransferStatus), size=t.height, p=[0.97, 0.02, 0.01])
    return t.with_columns(
        net_rp=((pl.col("cap") * pl.Series(rng.uniform(0.80, 0.97, t.height)) * (1 - tax)) // 1000 * 1000)
        .cast(pl.Int64),
        status=pl.Series(status),
    ).select("sp2d_no", "nip", "period", "net_rp", "status")
