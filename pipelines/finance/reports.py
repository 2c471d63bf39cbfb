"""Reports finance and HR open: the Excel daftar nominatif and the offline HTML dashboard.

Names are masked (``S*** R*****``) and bank accounts never shown; the totals are the
register's, to the Rupiah.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from engine import Period, Verdict, values
from pipelines.finance.bank import mask_name
from pipelines.finance.outlook import opd_name
from pipelines.finance.reconciliation import Reconciled
from pipelines.numbers import WIB, number, rupiah

NOMINATIF_COLUMNS = {
    "nip": "NIP", "name": "Nama", "kelas": "Kelas", "status": "Status",
    "amt_bk": "Plafon beban kerja", "amt_pk": "Plafon prestasi kerja", "amt_kk": "Plafon kondisi kerja",
    "amt_kp": "Plafon kelangkaan profesi", "amt_tb": "Plafon tempat bertugas",
    "amt_pol": "Plafon pertimbangan objektif lainnya",
    "minutes": "Menit kerja", "target_minutes": "Target menit", "discipline_bp": "Disiplin (%)",
    "score_bp": "Skor (%)", "pay_rp": "TPP bruto", "extra_rp": "TPP THR/gaji-13", "bpjs_employee_rp": "BPJS 1 %",
    "pph21_rp": "PPh 21", "net_rp": "TPP neto",
}
MONEY = ("amt_bk", "amt_pk", "amt_kk", "amt_kp", "amt_tb", "amt_pol", "pay_rp", "extra_rp", "bpjs_employee_rp",
         "pph21_rp", "net_rp")
PERCENT = ("discipline_bp", "score_bp")
"""Shown as percentages (96,50 %), as the nominatif prints them; the register keeps basis points."""
TOTAL_LABEL = "JUMLAH"
SIGNATURES = ("Kepala OPD", "Bendahara Pengeluaran")
"""Who signs each OPD's daftar nominatif, below its total."""
INDONESIAN = {"separators": ",."}
"""Plotly layout: numbers as Indonesians write them (1.234.567,5)."""
HEADERS = {"level": "level", "pool_id": "pool", "account_code": "account", "pagu_rp": "pagu (Rp)",
           "realized_rp": "realized (Rp)", "this_run_rp": "this run (Rp)", "extra_rp": "of which THR/gaji-13 (Rp)",
           "corrections_rp": "correction (Rp)",
           "remaining_rp": "remaining (Rp)", "projected_rp": "projected to December (Rp)", "status": "status",
           "payment_id": "payment", "nip": "NIP", "class": "class", "computed_net_rp": "computed net (Rp)",
           "transferred_rp": "transferred (Rp)", "difference_rp": "difference (Rp)"}
"""Table headers in words."""
CEILING_NOTE = ("Kolom plafon: pagu tiap komponen menurut kelas jabatan (ceiling), bukan yang dibayar; TPP bruto "
                "adalah plafon × skor × proporsi hari, dibagi dalam pagu pool (SPEC §4).")
"""Why the six components add up to more than the bruto, on every sheet."""


def nominatif_rows(register: pl.DataFrame, employees: pl.DataFrame, opds: pl.DataFrame) -> pl.DataFrame:
    """The register with masked names, in the nominatif's columns, by OPD (code and name) then NIP."""
    named = register.join(employees.select("nip", "name"), on="nip", how="left")
    shown = (mask_name(pl.col("name")).alias("name") if c == "name"
             else (pl.col(c) / 10_000).alias(c) if c in PERCENT else pl.col(c) for c in NOMINATIF_COLUMNS)
    opd = opd_name(pl.col("opd_code"), opds).alias("opd_name")
    return named.select("opd_code", opd, *shown).sort("opd_code", "nip")


def write_nominatif(rows: pl.DataFrame, period: Period, path: Path) -> None:
    """One workbook: a ``REKAP`` sheet (one line per OPD and the city total), then a sheet per
    OPD with its employees, a JUMLAH row and the signature block. Every total is a value, not a
    formula, so any reader sees the same Rupiah. Printed landscape, one page wide, the title,
    note and header repeated on every page."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "#,##0"})
    percent = book.add_format({"num_format": "0.00%"})
    total_money = book.add_format({"num_format": "#,##0", "bold": True, "top": 1})
    header = book.add_format({"bold": True, "text_wrap": True, "bottom": 1, "valign": "top"})
    by_opd = (rows.group_by("opd_code", "opd_name").agg(pl.len().alias("pegawai"), *(pl.col(c).sum() for c in MONEY))
              .sort("opd_code"))

    def table(sheet: xlsxwriter.worksheet.Worksheet, frame: pl.DataFrame, labels: list[str], first: int) -> int:
        """``frame`` under ``labels`` from row ``first``, its JUMLAH row last: the row it ends on."""
        sheet.set_column(0, 0, 20)
        for c, name in enumerate(frame.columns[1:], start=1):
            sheet.set_column(c, c, 14, money if name in MONEY else percent if name in PERCENT else None)
        sheet.write_row(first, 0, labels, header)
        sheet.set_row(first, 45)  # the wrapped labels stay inside their row
        for r, cells in enumerate(frame.iter_rows(), start=first + 1):
            for c, value in enumerate(cells):
                if isinstance(value, str):  # text stays text: a name starting with "=" is no formula
                    sheet.write_string(r, c, value)
                elif value is not None:
                    sheet.write_number(r, c, value)
        end = first + frame.height + 1
        sheet.write(end, 0, TOTAL_LABEL, bold)
        for c, name in enumerate(frame.columns):
            if name in MONEY or name == "pegawai":
                sheet.write(end, c, int(frame[name].sum()), total_money)
        if "pegawai" not in frame.columns:  # an OPD's sheet: its employees are its rows
            sheet.write_string(end, 1, f"{number(frame.height)} pegawai", bold)
        sheet.write_string(first - 1, 0, CEILING_NOTE)
        sheet.freeze_panes(first + 1, 1)
        sheet.set_landscape()
        sheet.fit_to_pages(1, 0)  # printed one page wide, as many pages long as needed
        sheet.repeat_rows(0, first)  # title, note and header on every printed page
        return end

    def signatures(sheet: xlsxwriter.worksheet.Worksheet, below: int, width: int) -> None:
        """The daftar nominatif's signature block: place and date, then each signer's role, room
        to sign, name and NIP, written by hand on the printed sheet."""
        sheet.write_string(below + 2, width - 3, "......................, ........................")
        sheet.write_string(below + 3, 1, "Mengetahui,")
        for col, role in zip((1, width - 3), SIGNATURES):
            sheet.write_string(below + 4, col, role, bold)
            sheet.write_string(below + 8, col, "( ........................................ )")
            sheet.write_string(below + 9, col, "NIP. ........................................")

    rekap = book.add_worksheet("REKAP")
    rekap.write_string(0, 0, f"Rekapitulasi TPP {period} per OPD", bold)
    table(rekap, by_opd, ["OPD", "Nama OPD", "Pegawai", *(NOMINATIF_COLUMNS[c] for c in MONEY)], 2)
    opds = rows.select("opd_code", "opd_name").unique(maintain_order=True)
    titles = [" ".join(x for x in (code, name) if x) for code, name in opds.iter_rows()]
    names = sheet_names(["REKAP", *titles])
    for title, (_, members) in zip(titles, rows.group_by("opd_code", maintain_order=True)):
        sheet = book.add_worksheet(names[title])
        sheet.write_string(0, 0, f"Daftar nominatif TPP {period} — OPD {title}", bold)
        end = table(sheet, members.drop("opd_code", "opd_name"), list(NOMINATIF_COLUMNS.values()), 2)
        signatures(sheet, end, len(NOMINATIF_COLUMNS))
    book.close()


SHEET_FORBIDDEN = str.maketrans({c: "-" for c in "[]:*?/\\"})


def sheet_names(keys: list[str]) -> dict[str, str]:
    r"""A valid, unique worksheet name for each key (an OPD code), the first kept as it is: at
    most 31 characters, none of ``[]:*?/\``, no two equal ignoring case (``~2``, ``~3`` … when
    they would be). The sheet's first cell names the OPD in full.

    >>> sheet_names(["REKAP", "1.02.01", "rekap", "A/B", "x" * 40, "x" * 35])["x" * 35]
    'xxxxxxxxxxxxxxxxxxxxxxxxxxxxx~2'
    """
    names: dict[str, str] = {}
    taken: set[str] = set()
    for key in keys:
        base = (key.translate(SHEET_FORBIDDEN).strip("'") or "OPD")[:31]
        name, n = base, 1
        while name.lower() in taken:
            n += 1
            name = f"{base[:31 - len(str(n)) - 1]}~{n}"
        taken.add(name.lower())
        names[key] = name
    return names


def write_dashboard(path: Path, period: Period, register: pl.DataFrame, outlook: pl.DataFrame,
                    burn: pl.DataFrame, reconciliation: pl.DataFrame | None,
                    extra_after: Sequence[str] = ()) -> None:
    """A self-contained HTML page (Plotly inlined: it opens with no network): budget use per
    OPD, the burn-down of the year's TPP pagu, the pay distribution and the reconciliation's
    exceptions.

    The budget table and the burn-down project to December by ``budget``'s one rule, said under
    both (the outlook's ``projection``): after this run, the month's pay again for each month
    left and for each extra payment in ``extra_after`` (its period), in the month it is paid."""
    import plotly.graph_objects as go

    pools = outlook.filter(pl.col("level") == "pool").with_columns(
        pool_id=pl.concat_str("pool_id", pl.col("opd_name").fill_null(""), separator=" ").str.strip_chars(),
        realized_pct=100 * pl.col("realized_rp") / pl.col("pagu_rp"),
        run_pct=100 * pl.col("this_run_rp") / pl.col("pagu_rp")).sort(
        pl.col("realized_pct") + pl.col("run_pct"), "pool_id")
    height = max(460, 18 * pools.height + 140)
    use = go.Figure([
        go.Bar(name="realized before this month", y=pools["pool_id"], x=pools["realized_pct"], orientation="h"),
        go.Bar(name=f"this run ({period})", y=pools["pool_id"], x=pools["run_pct"], orientation="h"),
    ], layout={**INDONESIAN, "barmode": "stack", "height": height,
               "title": "Share of each pool's TPP pagu used (realized and this run), fullest at the top",
               "xaxis": {"title": "% of the pool's pagu", "ticksuffix": " %"}, "yaxis": {"title": "pool (OPD)"},
               "shapes": [{"type": "line", "x0": 100, "x1": 100, "yref": "paper", "y0": 0, "y1": 1,
                           "line": {"color": "black", "dash": "dash"}}]})
    failing = outlook.filter(pl.col("status") != Verdict.OK.value)
    # budget's rule: after this run, the month's pay again for each month left and each extra payment.
    rules = outlook["projection"].drop_nulls().unique() if "projection" in outlook.columns else pl.Series([])
    rule = str(rules[0]) if rules.len() else ""
    months = [f"{period.year}-{m:02d}" for m in range(1, 13)]
    ahead = months[period.month - 1:]
    paid_to_now, monthly = int(burn["cumulative_rp"][-1]), int(register["pay_rp"].sum())
    payments = [i + sum(1 for e in extra_after if e <= month) for i, month in enumerate(ahead)]
    burn_fig = go.Figure([
        go.Scatter(name="paid to date, then this run", x=burn["period"], y=burn["cumulative_rp"],
                   mode="lines+markers"),
        go.Scatter(name="projected: this month's pay for each payment to come", x=ahead,
                   y=[paid_to_now + monthly * n for n in payments], mode="lines", line={"dash": "dot"}),
        go.Scatter(name="pagu", x=[months[0], months[-1]], y=[int(burn["pagu_rp"][0])] * 2, mode="lines",
                   line={"dash": "dash"}),
    ], layout={**INDONESIAN, "title": {"text": "Burn-down of the year's TPP pagu (city), projected to December"
                                                + (f"<br><sup>{rule.split(' + correction')[0]}</sup>"
                                                   if rule else "")},
               "xaxis": {"title": "month", "type": "category", "categoryorder": "array", "categoryarray": months},
               "yaxis": {"title": "cumulative TPP paid", "tickprefix": "Rp ", "tickformat": ",.0f"}})
    pay = go.Figure([go.Histogram(x=register["net_rp"], nbinsx=60)],
                    layout={**INDONESIAN, "title": f"Net TPP per employee, {period}", "bargap": 0.05,
                            "xaxis": {"title": "net TPP", "tickprefix": "Rp ", "tickformat": ",.0f"},
                            "yaxis": {"title": "employees"}})
    figures = [use, burn_fig, pay]
    exceptions = ""
    if reconciliation is None:
        exceptions = "<p>No reconciliation: the period is not locked.</p>"
    else:
        to_chase = reconciliation.filter(pl.col("class") != Reconciled.MATCHED.value).with_columns(
            pl.col("class").cast(pl.Enum(values(Reconciled))))
        counts = to_chase.group_by("class").agg(pl.len(), pl.col("computed_net_rp", "transferred_rp",
                                                                      "difference_rp").sum()).sort("class")
        in_words = pl.col("class").cast(pl.String).str.replace_all("_", " ")
        to_chase, counts = to_chase.with_columns(in_words), counts.with_columns(in_words)
        matched = reconciliation.height - to_chase.height
        labels = [f"{number(n)} employees" for n in counts["len"]]
        figures.append(go.Figure([
            go.Bar(name="due (computed net)", x=counts["class"], y=counts["computed_net_rp"], hovertext=labels),
            go.Bar(name="sent (transferred)", x=counts["class"], y=counts["transferred_rp"], hovertext=labels,
                   text=[f"difference {rupiah(int(v))}" for v in counts["difference_rp"]], textposition="outside"),
        ], layout={**INDONESIAN, "barmode": "group",
                   "title": f"Reconciliation exceptions by class: Rupiah due and sent ({number(matched)} employees "
                            f"matched)", "xaxis": {"title": "class (label: sent − due)"},
                   "yaxis": {"title": "Rupiah", "tickprefix": "Rp ", "tickformat": ",.0f"}}))
        exceptions = _table(to_chase.head(200), f"Exceptions to chase ({number(to_chase.height)}, "
                                                f"first {min(to_chase.height, 200)} shown)")
    parts = [fig.to_html(full_html=False, include_plotlyjs=(i == 0), default_width="100%", default_height="460px")
             for i, fig in enumerate(figures)]
    totals = {"employees": number(register.height), "gross TPP": rupiah(int(register["pay_rp"].sum())),
              "net TPP": rupiah(int(register["net_rp"].sum())),
              "budget rows not OK (pools, accounts, city)": number(failing.height)}
    summary = "".join(f"<div class='k'><b>{html.escape(v)}</b><span>{html.escape(k)}</span></div>"
                      for k, v in totals.items())
    path.write_text(f"""<!doctype html>
<html lang="id"><head><meta charset="utf-8"><title>TPP {period} — finance dashboard</title>
<style>body{{font-family:sans-serif;margin:24px;color:#222}} .k{{display:inline-block;margin:0 28px 12px 0}}
.k b{{display:block;font-size:22px}} .k span{{color:#666}} table{{border-collapse:collapse;font-size:13px}}
td,th{{border:1px solid #ccc;padding:3px 8px;text-align:right}} th{{background:#f3f3f3}}</style></head>
<body><h1>TPP {period} — finance dashboard</h1><p>Generated {dt.datetime.now(WIB):%Y-%m-%d %H:%M} WIB from the
warehouse; no names or bank accounts are shown.</p>{summary}
{_table(failing.select("level", "pool_id", "account_code", "pagu_rp", "realized_rp", "this_run_rp",
                       "corrections_rp", "remaining_rp", "projected_rp", "status"),
        "Budget rows with a warning or over budget (as `eperf budget`)")}
{f"<p class='rule'>{html.escape(rule[0].upper() + rule[1:])}.</p>" if rule else ""}
{"".join(parts)}{exceptions}</body></html>
""", encoding="utf-8")


def _cell(value: object) -> str:
    return "" if value is None else number(value) if isinstance(value, int) else str(value)


def _table(frame: pl.DataFrame, title: str) -> str:
    head = "".join(f"<th>{html.escape(HEADERS.get(c, c.replace('_', ' ')))}</th>" for c in frame.columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(_cell(v))}</td>"
                                    for v in row) + "</tr>" for row in frame.iter_rows())
    return f"<h2>{html.escape(title)}</h2><table><tr>{head}</tr>{body}</table>"
