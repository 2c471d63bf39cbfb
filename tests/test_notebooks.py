"""Every analyst notebook runs top to bottom, without an error, on a small generated city, and
its HTML export draws every figure with no network (that part only where Chromium is installed)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipelines.analysis.notebooks import execute, notebook_paths, write_html
from tests.browser import needs_chromium, open_page
from tests.conftest import GENERATED_MONTHS

ROOT = Path(__file__).resolve().parents[1]


def test_there_are_five_notebooks() -> None:
    assert [p.stem for p in notebook_paths()] == [
        "01_month_overview", "02_opd_fairness", "03_suspicious_logging", "04_what_if", "05_budget_burn"]


@dataclass(frozen=True)
class Executed:
    """A notebook run on the generated city, its code cells' outputs and its HTML export."""

    path: Path
    outputs: list[dict]
    html: Path

    @property
    def figures(self) -> list[dict]:
        return [o for o in self.outputs if "Plotly.newPlot" in o.get("data", {}).get("text/html", "")]


@pytest.fixture(scope="module", ids=lambda p: p.stem, params=[
    pytest.param(p, marks=pytest.mark.xdist_group(f"notebook-{p.stem}")) for p in notebook_paths()])
def executed(request: pytest.FixtureRequest, generated_city: Path,
             tmp_path_factory: pytest.TempPathFactory) -> Executed:
    """Each notebook run once for the tests below (running it is what takes the time; its tests
    share an xdist worker)."""
    path: Path = request.param
    last = GENERATED_MONTHS[-1]
    months = {"periods": ",".join(GENERATED_MONTHS)} if "periods" in path.read_text() else {"period": last}
    with pytest.MonkeyPatch.context() as patch:  # the kernel imports this checkout's code, not the installed one's
        patch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]))
        notebook = execute(path, {"data": str(generated_city), **months})
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]  # type: ignore[attr-defined]
    html = tmp_path_factory.mktemp("notebook") / f"{path.stem}.html"
    write_html(notebook, html)
    return Executed(path, outputs, html)


def test_notebook_runs_clean(executed: Executed) -> None:
    assert not [o for o in executed.outputs if o.get("output_type") == "error"]
    assert executed.figures, "every notebook draws at least one figure"
    page = executed.html.read_text(encoding="utf-8")
    assert page.count("plotly.js v") == 1, "plotly.js inlined once a page, not once a figure"
    assert executed.html.stat().st_size <= 5_000_000  # plotly.js is 4.8 MB: the figures carry aggregates


@needs_chromium
def test_notebook_html_draws_every_figure_offline(executed: Executed) -> None:
    errors, fetched, plots = open_page(executed.html, f"{executed.path.stem}.png")
    assert (errors, fetched, plots) == ([], [], len(executed.figures))  # readable offline, every figure drawn
