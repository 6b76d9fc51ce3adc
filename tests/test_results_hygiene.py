import json
from pathlib import Path

import nbformat
import numpy as np
import pytest

from rotation import hygiene, results

ROOT = Path(__file__).resolve().parents[1]


def test_record_roundtrip_through_notebook_outputs():
    results.record("x_share", np.float64(0.25), "share", "2025-12-31", "a test figure")
    rec = results.recorded()["x_share"]
    assert rec == {"value": 0.25, "unit": "share", "as_of": "2025-12-31", "label": "a test figure"}
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [nbformat.v4.new_output("display_data", data={results.MIME: {"x_share": rec}, "text/plain": "x"}),
                    nbformat.v4.new_output("display_data", data={results.MIME: json.dumps({"n": {**rec, "value": 3}})})]
    nb.cells.append(cell)
    assert results.from_notebook(nb) == {"x_share": rec, "n": {**rec, "value": 3}}


def test_record_nan_becomes_null_and_bad_type_refused():
    results.record("n", float("nan"), "share", "2025-12-31", "")
    assert results.recorded()["n"]["value"] is None
    with pytest.raises(TypeError):
        results.record("n", [1, 2], "share", "2025-12-31", "")


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.name)
def test_committed_notebooks_hold_no_volatile_output(path):
    nb = nbformat.read(path, as_version=4)
    assert hygiene.problems(nb) == []
    first = next(c for c in nb.cells if c.cell_type == "code")
    assert "parameters" in first.metadata.get("tags", []), "first code cell must be the parameters cell"
    assert "as_of: str = \"latest\"" in first.source and "start: str" in first.source


def test_hygiene_detects_and_cleans():
    nb = nbformat.v4.new_notebook(metadata={"papermill": {"duration": 1}})
    c = nbformat.v4.new_code_cell("1+1", execution_count=3)
    c.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "2"}, execution_count=3)]
    nb.cells.append(c)
    assert len(hygiene.problems(nb)) >= 3
    assert hygiene.problems(hygiene.clean(nb)) == []
