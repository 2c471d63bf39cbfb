"""Run the analysts' notebooks (``notebooks/*.py``, jupytext py:percent) and export them as HTML.

    python -m pipelines.analysis.notebooks            # every notebook on its defaults (the demo city)

writes ``notebooks/html/<name>.html`` with the figures (Plotly inlined: readable offline).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from nbformat import NotebookNode

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def offline_figures() -> None:
    """Show Plotly figures as HTML with plotly.js inlined once (in the first figure) and no
    MathJax, so that a notebook exported to HTML draws them with no network at all."""
    import plotly.io as pio
    from plotly.io.base_renderers import MimetypeRenderer

    inlined: list[bool] = []  # plotly copies a renderer for every figure: what was inlined is kept out here

    class Offline(MimetypeRenderer):  # type: ignore[misc]  # plotly has no stubs here: its base class is Any
        def to_mimebundle(self, fig_dict: dict[str, object]) -> dict[str, str]:
            html = pio.to_html(fig_dict, include_plotlyjs=not inlined, include_mathjax=False, full_html=False,
                               default_width="100%", default_height=500, validate=False)
            inlined.append(True)
            return {"text/html": html}

    pio.renderers["offline"] = Offline()
    pio.renderers.default = "offline"
    indonesian = pio.templates["plotly"]
    indonesian.layout.separators = ",."  # 1.234.567,5: numbers as Indonesians write them
    indonesian.layout.yaxis.tickformat = ",~f"  # whole numbers, not "15M" (M reads as miliar here)
    pio.templates["indonesian"] = indonesian
    pio.templates.default = "indonesian"


LABELS = {
    "pay_rp": "gross TPP (Rp)", "net_rp": "net TPP (Rp)", "mean_pay_rp": "mean gross TPP (Rp)",
    "score_bp": "performance score (bp, 10000 = 100 %)", "productivity_bp": "productivity (bp, 10000 = 100 %)",
    "discipline_bp": "discipline (bp, 10000 = 100 %)", "kelas": "kelas (grade)", "status": "status",
    "opd_code": "OPD", "pool_id": "pool (OPD)", "use_pct": "% of the pool paid", "period": "month",
    "decile": "pay decile (1 = lowest paid)", "share_pct": "% of all TPP", "flag": "check", "nip": "NIP",
    "pay_at_stake_rp": "pay at stake (Rp)", "flags": "checks", "change_pct": "change in gross TPP (%)",
    "mean_change_rp": "mean change per employee (Rp)", "binding": "pool binds", "count": "employees",
}
"""Axis and legend labels in words, for every notebook chart (``labels=LABELS``)."""


def opd_labels(data: Path) -> dict[str, str]:
    """``code → "code name"`` for the OPDs ``data/hr/opd.csv`` names (none: an empty mapping, and
    charts show codes), to label a chart's OPDs as people know them."""
    path = data / "hr" / "opd.csv"
    if not path.is_file():
        return {}
    opds = pl.read_csv(path, schema_overrides={"opd_code": pl.String, "name": pl.String})
    return {code: f"{code} {name}" for code, name in opds.select("opd_code", "name").iter_rows()}


def box_chart(frame: pl.DataFrame, x: str, y: str, color: str, title: str) -> go.Figure:
    """Box plots of ``y`` per ``x``, one trace per ``color``, drawn from their quartiles (whiskers
    at the minimum and maximum): the page carries five numbers a box, not every employee."""
    import plotly.graph_objects as go

    stats = frame.group_by(x, color).agg(
        q1=pl.col(y).quantile(0.25, "linear"), median=pl.col(y).median(), q3=pl.col(y).quantile(0.75, "linear"),
        lowerfence=pl.col(y).min(), upperfence=pl.col(y).max()).sort(color, x)
    fig = go.Figure()
    for (group,), rows in stats.group_by(color, maintain_order=True):
        fig.add_box(name=str(group), x=rows[x], **{k: rows[k] for k in ("q1", "median", "q3", "lowerfence",
                                                                          "upperfence")})
    fig.update_layout(title=title, boxmode="group", xaxis_title=LABELS[x], yaxis_title=LABELS[y],
                      legend_title_text=LABELS[color])
    return fig


def moved_most(trend: pl.DataFrame, measure: str, n: int) -> pl.DataFrame:
    """``opd_code, change``: the ``n`` OPDs whose ``measure`` changed most (either way) between
    the first and the last ``period`` of ``trend``, largest change first."""
    first, last = trend["period"].min(), trend["period"].max()
    ends = trend.filter(pl.col("period").is_in([first, last])).pivot("period", index="opd_code", values=measure)
    return (ends.select("opd_code", change=pl.col(str(last)) - pl.col(str(first))).drop_nulls()
            .sort(pl.col("change").abs(), "opd_code", descending=[True, False]).head(n))


def trend_chart(trend: pl.DataFrame, measure: str, named: list[str], title: str) -> go.Figure:
    """One line per OPD over the months (months as categories, not dates): the ``named`` OPDs in
    colour with a legend, every other one in grey behind them, hover naming it."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for (opd,), rows in trend.sort("opd_code", "period").group_by("opd_code", maintain_order=True):
        shown = opd in named
        fig.add_scatter(x=rows["period"], y=rows[measure], name=str(opd), mode="lines+markers",
                        showlegend=shown, line={"color": None if shown else "lightgrey", "width": 2.5 if shown else 1},
                        hovertemplate=f"{opd}: %{{y:,.0f}}<extra></extra>")
    fig.data = tuple(sorted(fig.data, key=lambda trace: trace.name in named))  # named OPDs drawn on top
    fig.update_layout(title=title, xaxis={"type": "category", "title": LABELS["period"]},
                      yaxis={"title": LABELS[measure]}, legend_title_text=LABELS["opd_code"])
    return fig


def notebook_paths() -> list[Path]:
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py"))


def execute(path: Path, parameters: dict[str, object] | None = None, timeout: int = 1800) -> NotebookNode:
    """The notebook at ``path`` run top to bottom in its folder, ``parameters`` set right after
    its ``parameters`` cell. Raises ``nbclient.exceptions.CellExecutionError`` on any error."""
    import jupytext
    import nbformat
    from nbclient import NotebookClient

    notebook: NotebookNode = jupytext.read(path)
    if parameters:
        at = next(i for i, cell in enumerate(notebook.cells) if "parameters" in cell.metadata.get("tags", []))
        injected = "\n".join(f"{name} = {value!r}" for name, value in parameters.items())
        notebook.cells.insert(at + 1, nbformat.v4.new_code_cell(injected, metadata={"tags": ["injected-parameters"]}))
    NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return notebook


PAGE_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1200px; margin: 2em auto; padding: 0 1em; color: #222; }
.jp-InputArea, .input_area, pre { background: #f6f8fa; border-radius: 4px; }
pre { padding: .6em; overflow-x: auto; font-size: 85%; }
table { border-collapse: collapse; font-size: 90%; margin: .5em 0; }
th, td { border: 1px solid #ddd; padding: .25em .6em; text-align: right; }
th { background: #f0f0f0; }
"""
"""A few lines of style: nbconvert's own page styles weigh 300 kB a page, beside plotly.js's 4.8 MB."""


def write_html(notebook: NotebookNode, out: Path) -> None:
    """``notebook`` as one offline HTML page: its cells and outputs, plotly.js inlined once."""
    from nbconvert import HTMLExporter

    # No require.js or MathJax from a CDN: the page is read offline (Plotly is inlined).
    body, _ = HTMLExporter(template_name="basic", mathjax_url="", require_js_url="").from_notebook_node(notebook)
    title = out.stem.replace("_", " ")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
                   f"<style>{PAGE_STYLE}</style></head>\n<body>\n{body}\n</body></html>\n", encoding="utf-8")


def main() -> None:
    for path in notebook_paths():
        out = NOTEBOOKS / "html" / f"{path.stem}.html"
        write_html(execute(path), out)
        print(f"{path.name:<28} → {out.relative_to(NOTEBOOKS.parent)}", flush=True)


if __name__ == "__main__":
    main()
