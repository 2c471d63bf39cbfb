"""Run the analysts' notebooks (``notebooks/*.py``, jupytext py:percent) and export them as HTML.

    python -m pipelines.analysis.notebooks            # every notebook on its defaults (the demo city)

writes ``notebooks/html/<name>.html`` with the figures (Plotly inlined: readable offline).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nbformat import NotebookNode

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def offline_figures() -> None:
    """Show Plotly figures as HTML with plotly.js inlined once (in the first figure) and no
    MathJax, so that a notebook exported to HTML draws them with no network at all."""
    import plotly.io as pio
    from plotly.io.base_renderers import MimetypeRenderer

    class Offline(MimetypeRenderer):  # type: ignore[misc]  # plotly has no stubs here: its base class is Any
        def __init__(self) -> None:
            self.first = True

        def to_mimebundle(self, fig_dict: dict[str, object]) -> dict[str, str]:
            html = pio.to_html(fig_dict, include_plotlyjs=self.first, include_mathjax=False, full_html=False,
                               default_width="100%", default_height=500, validate=False)
            self.first = False
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


def write_html(notebook: NotebookNode, out: Path) -> None:
    from nbconvert import HTMLExporter

    # No require.js or MathJax from a CDN: the page is read offline (Plotly is inlined).
    body, _ = HTMLExporter(template_name="lab", mathjax_url="", require_js_url="").from_notebook_node(notebook)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(body, encoding="utf-8")


def main() -> None:
    for path in notebook_paths():
        out = NOTEBOOKS / "html" / f"{path.stem}.html"
        write_html(execute(path), out)
        print(f"{path.name:<28} → {out.relative_to(NOTEBOOKS.parent)}", flush=True)


if __name__ == "__main__":
    main()
