"""Headline figures: recorded in the executed notebook, gathered by the runner.

`record(name, value, unit, as_of, label)` displays the figure (as a one-line markdown
statement for readers) and embeds a machine-readable copy under the MIME type
`application/vnd.rotation.result+json`. `read(path)` reads them back from an executed
notebook as `{name: {"value", "unit", "as_of", "label"}}`, the format of `results.json`.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

MIME = "application/vnd.rotation.result+json"
GRID_MIME = "application/vnd.rotation.grid+json"

_recorded: dict[str, dict] = {}


def _plain(value):
    """A JSON-safe scalar: numpy and pandas scalars unwrapped; NaN becomes None."""
    if value is None:
        return None
    if isinstance(value, (np.generic,)):
        value = value.item()
    if isinstance(value, (pd.Timestamp, pd.Period)):
        return str(value)
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"a recorded value must be a number, string or None, not {type(value).__name__}")


def _date_text(as_of) -> str:
    if isinstance(as_of, pd.Period):
        return str(as_of.to_timestamp(how="end").date()) if as_of.freqstr.startswith("M") else str(as_of)
    if isinstance(as_of, pd.Timestamp):
        return str(as_of.date())
    return str(as_of)


def _format(value, unit: str) -> str:
    if isinstance(value, float):
        if unit == "percent":
            return f"{value:.2f}%"
        if unit in ("share", "decimal", "decimal per year"):
            return f"{value:.4f}"
        return f"{value:,.4g}"
    return str(value)


def record(name: str, value, unit: str, as_of, label: str, quiet: bool = False) -> None:
    """Record one headline figure and show it (`recorded()` returns what was stored).

    `quiet=True` embeds the figure without the one-line statement (for notebooks that show
    the same figures in a table)."""
    if not name or not isinstance(name, str):
        raise ValueError("a recorded figure needs a non-empty string name")
    rec = {"value": _plain(value), "unit": unit, "as_of": _date_text(as_of), "label": label}
    _recorded[name] = rec
    try:
        from IPython import get_ipython
        from IPython.display import display

        if get_ipython() is not None:
            text = f"**{name}** = {_format(rec['value'], unit)} ({unit}, as of {rec['as_of']}): {label}"
            shown = {"text/plain": ""} if quiet else {"text/markdown": text, "text/plain": text}
            display({MIME: {name: rec}, **shown}, raw=True)
    except ImportError:  # pragma: no cover - IPython is a dependency
        pass


def recorded() -> dict[str, dict]:
    """Figures recorded in this process so far (a copy)."""
    return {k: dict(v) for k, v in _recorded.items()}


def from_notebook(nb) -> dict[str, dict]:
    """Figures recorded in an executed notebook object (nbformat), later records win."""
    out: dict[str, dict] = {}
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            payload = output.get("data", {}).get(MIME)
            if payload:
                if isinstance(payload, str):
                    payload = json.loads(payload)
                out.update(payload)
    return out


def read(path) -> dict[str, dict]:
    """Figures recorded in the executed notebook at `path`."""
    import nbformat

    return from_notebook(nbformat.read(Path(path), as_version=4))


def record_grid(grid: pd.DataFrame, columns: list[str] | None = None) -> None:
    """Embed a specification grid (one row per specification) in the executed notebook, under
    `application/vnd.rotation.grid+json`, for the runner to gather into `spec_grid.csv`.
    `columns` (default `rotation.inference.GRID_COLUMNS`) must all be present; extra columns
    are kept. Shows nothing by itself (the notebook shows the grid as a table or chart)."""
    from .inference import GRID_COLUMNS

    columns = columns or GRID_COLUMNS
    missing = [c for c in columns if c not in grid.columns]
    if missing:
        raise ValueError(f"a specification grid needs the columns {columns}; missing {missing}")
    rows = [{k: _plain(v) if not isinstance(v, (list, tuple)) else str(v) for k, v in row.items()}
            for row in grid.reset_index(drop=True).to_dict(orient="records")]
    try:
        from IPython import get_ipython
        from IPython.display import display

        if get_ipython() is not None:
            display({GRID_MIME: {"rows": rows}, "text/plain": ""}, raw=True)
    except ImportError:  # pragma: no cover - IPython is a dependency
        pass


def grid_from_notebook(nb) -> list[dict]:
    """Every specification-grid row embedded in an executed notebook, in order."""
    rows: list[dict] = []
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            payload = output.get("data", {}).get(GRID_MIME)
            if payload:
                payload = json.loads(payload) if isinstance(payload, str) else payload
                rows.extend(payload["rows"])
    return rows
