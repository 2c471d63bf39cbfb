"""Every analyst notebook runs top to bottom, without an error, on a small generated city, and
its HTML export draws every figure with no network."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.analysis.notebooks import execute, notebook_paths, write_html
from tests.browser import open_page
from tests.conftest import GENERATED_MONTHS


def test_there_are_five_notebooks() -> None:
    assert [p.stem for p in notebook_paths()] == [
        "01_month_overview", "02_opd_fairness", "03_suspicious_logging", "04_what_if", "05_budget_burn"]


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.stem)
def test_notebook_runs_clean(generated_city: Path, path: Path, tmp_path: Path) -> None:
    last = GENERATED_MONTHS[-1]
    months = {"periods": ",".join(GENERATED_MONTHS)} if "periods" in path.read_text() else {"period": last}
    notebook = execute(path, {"data": str(generated_city), **months})
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]  # type: ignore[attr-defined]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    figures = [o for o in outputs if "Plotly.newPlot" in o.get("data", {}).get("text/html", "")]
    assert figures, "every notebook draws at least one figure"
    write_html(notebook, tmp_path / f"{path.stem}.html")
    errors, fetched, plots = open_page(tmp_path / f"{path.stem}.html", f"{path.stem}.png")
    assert (errors, fetched, plots) == ([], [], len(figures))  # readable offline, every figure drawn
