"""Committed notebooks hold no volatile output.

Allowed: cells tagged `keep_output` keep their outputs (nbval checks them against a fresh
run) with the execution count fixed at 1 (nbval skips a cell that looks never run). Everything else: no outputs, no execution counts, no
papermill or widget metadata.
"""
from __future__ import annotations

from pathlib import Path

import nbformat

KEEP = "keep_output"
VOLATILE_NB_METADATA = ("papermill", "widgets", "execution")
VOLATILE_CELL_METADATA = ("execution", "papermill", "collapsed", "scrolled")


def _tags(cell) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def problems(nb) -> list[str]:
    """What makes a notebook unfit to commit (empty when clean)."""
    out = [f"notebook metadata `{k}`" for k in VOLATILE_NB_METADATA if k in nb.get("metadata", {})]
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if cell.get("execution_count") is not None and KEEP not in _tags(cell):
            out.append(f"cell {i}: execution_count {cell.execution_count}")
        if cell.get("outputs") and KEEP not in _tags(cell):
            out.append(f"cell {i}: has outputs but no `{KEEP}` tag")
        if "injected-parameters" in _tags(cell):
            out.append(f"cell {i}: papermill's injected-parameters cell")
        for k in VOLATILE_CELL_METADATA:
            if k in cell.get("metadata", {}):
                out.append(f"cell {i}: cell metadata `{k}`")
        for o in cell.get("outputs", []):
            if o.get("execution_count") not in (None, 1):
                out.append(f"cell {i}: output execution_count {o['execution_count']}")
        if KEEP in _tags(cell) and cell.get("execution_count") not in (None, 1):
            out.append(f"cell {i}: execution_count {cell.execution_count} (kept cells use 1)")
    return out


def clean(nb, executed=None):
    """A copy of `nb` fit to commit; `keep_output` cells take their outputs from `executed`
    (an executed copy of the same notebook) when given, matched by source."""
    nb = nbformat.from_dict(nb)
    for k in VOLATILE_NB_METADATA:
        nb.metadata.pop(k, None)
    kept = {}
    if executed is not None:
        for c in executed.cells:
            if c.cell_type == "code" and KEEP in _tags(c):
                kept[c.source] = c.outputs
    nb.cells = [c for c in nb.cells if "injected-parameters" not in _tags(c)]
    for cell in nb.cells:
        for k in VOLATILE_CELL_METADATA:
            cell.metadata.pop(k, None)
        if nb.nbformat_minor < 5:  # cell ids exist from nbformat 4.5 on; a 4.4 file with ids is invalid
            cell.pop("id", None)
        if cell.cell_type != "code":
            continue
        cell.execution_count = None
        if KEEP in _tags(cell):
            outs = kept.get(cell.source, cell.outputs)
            for o in outs:
                if "execution_count" in o:
                    o["execution_count"] = 1
            cell.outputs = outs
            cell.execution_count = 1 if outs else None
        else:
            cell.outputs = []
    return nb


def clean_file(path: Path, executed_path: Path | None = None) -> None:
    nb = nbformat.read(path, as_version=4)
    ex = nbformat.read(executed_path, as_version=4) if executed_path else None
    nbformat.write(clean(nb, ex), path)
