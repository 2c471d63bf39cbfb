"""Reports finance and HR open: the Excel daftar nominatif and the offline HTML dashboard.

Names are masked (``S*** R*****``) and bank accounts never shown; the totals are the
register's, to the Rupiah.
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

import polars as pl

from engine import Period, Verdict, values
from pipelines.finance.bank import mask_name
from pipelines.finance.reconciliation import Reconciled
from pipelines.numbers import number, rupiah

NOMINATIF_COLUMNS = {
    "nip": "NIP", "name": "Nama", "kelas": "Kelas", "status": "Status",
    "amt_bk": "Plafon beban kerja", "amt_pk": "Plafon prestasi kerja", "amt_kk": "Plafon kondisi kerja",
    "amt_kp": "Plafon kelangkaan profesi", "amt_tb": "Plafon tempat bertugas",
    "amt_pol": "Plafon pertimbangan objektif lainnya",
    "minutes": "Menit kerja", "target_minutes": "Target menit", "discipline_bp": "Disiplin (bp)",
    "score_bp": "Skor (bp)", "pay_rp": "TPP bruto", "extra_rp": "TPP THR/gaji-13", "bpjs_employee_rp": "BPJS 1 %",
    "pph21_rp": "PPh 21", "net_rp": "TPP neto",
}
MONEY = ("amt_bk", "amt_pk", "amt_kk", "amt_kp", "amt_tb", "amt_pol", "pay_rp", "extra_rp", "bpjs_employee_rp",
         "pph21_rp", "net_rp")
TOTAL_LABEL = "JUMLAH"
INDONESIAN = {"separators": ",."}
"""Plotly layout: numbers as Indonesians write them (1.234.567,5)."""
HEADERS = {"level": "level", "pool_id": "pool", "account_code": "account", "pagu_rp": "pagu (Rp)",
           "realized_rp": "realized (Rp)", "this_run_rp": "this run (Rp)", "extra_rp": "of which THR/gaji-13 (Rp)",
           "corrections_rp": "correction (Rp)",
           "remaining_rp": "remaining (Rp)", "projected_rp": "projected to December (Rp)", "status": "status",
           "nip": "NIP", "class": "class", "computed_net_rp": "computed net (Rp)",
           "transferred_rp": "transferred (Rp)", "difference_rp": "difference (Rp)"}
"""Table headers in words."""
CEILING_NOTE = ("Kolom plafon: pagu tiap komponen menurut kelas jabatan (ceiling), bukan yang dibayar; TPP bruto "
                "adalah plafon × skor × proporsi hari, dibagi dalam pagu pool (SPEC §4).")
"""Why the six components add up to more than the bruto, on every sheet."""


def nominatif_rows(register: pl.DataFrame, employees: pl.DataFrame) -> pl.DataFrame:
    """The register with masked names, in the nominatif's columns, by OPD then NIP."""
    named = register.join(employees.select("nip", "name"), on="nip", how="left")
    return named.select("opd_code", *(mask_name(pl.col("name")).alias("name") if c == "name" else pl.col(c)
                                      for c in NOMINATIF_COLUMNS)).sort("opd_code", "nip")


def write_nominatif(rows: pl.DataFrame, period: Period, path: Path) -> None:
    """One workbook: a ``REKAP`` sheet (one line per OPD and the city total), then a sheet per
    OPD with its employees and a JUMLAH row. Every total is a value, not a formula, so any
    reader sees the same Rupiah."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "#,##0"})
    total_money = book.add_format({"num_format": "#,##0", "bold": True, "top": 1})
    header = book.add_format({"bold": True, "text_wrap": True, "bottom": 1, "valign": "top"})
    by_opd = (rows.group_by("opd_code").agg(pl.len().alias("pegawai"), *(pl.col(c).sum() for c in MONEY))
              .sort("opd_code"))

    def table(sheet: xlsxwriter.worksheet.Worksheet, frame: pl.DataFrame, labels: list[str], first: int) -> None:
        sheet.set_column(0, 0, 20)
        for c, name in enumerate(frame.columns[1:], start=1):
            sheet.set_column(c, c, 14, money if name in MONEY else None)
        sheet.write_row(first, 0, labels, header)
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

    rekap = book.add_worksheet("REKAP")
    rekap.write_string(0, 0, f"Rekapitulasi TPP {period} per OPD", bold)
    table(rekap, by_opd, ["OPD", "Pegawai", *(NOMINATIF_COLUMNS[c] for c in MONEY)], 2)
    names = sheet_names(["REKAP", *rows["opd_code"].unique(maintain_order=True).cast(pl.String).to_list()])
    for (opd,), members in rows.group_by("opd_code", maintain_order=True):
        sheet = book.add_worksheet(names[str(opd)])
        sheet.write_string(0, 0, f"Daftar nominatif TPP {period} — OPD {opd}", bold)
        table(sheet, members.drop("opd_code"), list(NOMINATIF_COLUMNS.values()), 2)
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
                    burn: pl.DataFrame, reconciliation: pl.DataFrame | None) -> None:
    """A self-contained HTML page (Plotly inlined: it opens with no network): budget use per
    OPD, the burn-down of the year's TPP pagu, the pay distribution and the reconciliation's
    exceptions."""
    import plotly.graph_objects as go

    pools = outlook.filter(pl.col("level") == "pool").with_columns(
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
    burn_fig = go.Figure([
        go.Scatter(name="paid to date", x=burn["period"], y=burn["cumulative_rp"], mode="lines+markers"),
        go.Scatter(name="pagu", x=burn["period"], y=burn["pagu_rp"], mode="lines", line={"dash": "dash"}),
    ], layout={**INDONESIAN, "title": "Burn-down of the year's TPP pagu (city)",
               "xaxis": {"title": "month"},
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
        counts = to_chase.group_by("class").agg(pl.len(), pl.col("difference_rp").sum()).sort("class")
        in_words = pl.col("class").cast(pl.String).str.replace_all("_", " ")
        to_chase, counts = to_chase.with_columns(in_words), counts.with_columns(in_words)
        matched = reconciliation.height - to_chase.height
        figures.append(go.Figure([go.Bar(x=counts["class"],
                                         y=counts["len"], text=[rupiah(int(v)) for v in counts["difference_rp"]],
                                         textposition="outside")],
                                 layout={**INDONESIAN, "title": f"Reconciliation exceptions by class "
                                                                f"({number(matched)} employees matched)",
                                         "xaxis": {"title": "class (bar label: the Rupiah difference)"},
                                         "yaxis": {"title": "employees"}}))
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
<body><h1>TPP {period} — finance dashboard</h1><p>Generated {dt.date.today().isoformat()} from the warehouse;
no names or bank accounts are shown.</p>{summary}
{_table(failing.select("level", "pool_id", "account_code", "pagu_rp", "realized_rp", "this_run_rp",
                       "corrections_rp", "remaining_rp", "projected_rp", "status"),
        "Budget rows with a warning or over budget (as `eperf budget`)")}
{"".join(parts)}{exceptions}</body></html>
""", encoding="utf-8")


def _cell(value: object) -> str:
    return "" if value is None else number(value) if isinstance(value, int) else str(value)


def _table(frame: pl.DataFrame, title: str) -> str:
    head = "".join(f"<th>{html.escape(HEADERS.get(c, c.replace('_', ' ')))}</th>" for c in frame.columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(_cell(v))}</td>"
                                    for v in row) + "</tr>" for row in frame.iter_rows())
    return f"<h2>{html.escape(title)}</h2><table><tr>{head}</tr>{body}</table>"
