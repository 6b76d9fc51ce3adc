"""The HTML pages of a report folder: the index of a run and the comparison page of a sweep.

The pages are Jinja2 templates under `templates/pages/` (`index.html.j2`, `comparison.html.j2`,
pieces in `parts.html.j2`) sharing one stylesheet, `rotation.css`, inlined into each page so a
page stays standalone. The functions here prepare plain data for the templates; every value
that comes from data is escaped by the environment, and only HTML built here on purpose
(pandas tables) is marked safe.
"""
from __future__ import annotations

import functools
import html
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from .execute import NotebookResult
from .provenance import data_vintage, git_commit

if TYPE_CHECKING:
    from .plan import RunRequest

PAGE_TEMPLATES = Path(__file__).resolve().parent / "templates" / "pages"
STYLESHEET = PAGE_TEMPLATES / "rotation.css"

THESIS_FIGURE = "thesis_verdict"  # recorded by notebook 06 (unit "verdict"): the collection's bottom line


def _escaped(value):
    """Every `{{ value }}` of the page templates: HTML it is already (has `__html__`, e.g. a
    macro's output or a `Markup` table) as it is, anything else as text escaped with
    `html.escape` (quotes too: attributes are single-quoted)."""
    from markupsafe import Markup

    if hasattr(value, "__html__"):
        return value
    return Markup(html.escape(str(value)))


def _fmt(value) -> str:
    """A headline figure's value as shown: floats to 4 significant digits, None as a dash."""
    if isinstance(value, float):
        return f"{value:,.4g}"
    return "–" if value is None else str(value)


@functools.lru_cache(maxsize=1)
def environment():
    """The Jinja2 environment of the page templates: autoescaped (see `_escaped`), strict about
    undefined names, with the filters `fmt` (`_fmt`) and `dumps` (`json.dumps`)."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(loader=FileSystemLoader(str(PAGE_TEMPLATES)), autoescape=True, finalize=_escaped,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["fmt"] = _fmt
    env.filters["dumps"] = json.dumps
    return env


def _part(macro: str, *args) -> str:
    """One macro of `parts.html.j2` rendered on its own (empty string when it renders nothing)."""
    return str(getattr(environment().get_template("parts.html.j2").module, macro)(*args)).strip()


def comparison_table(by_date: dict[str, dict[str, NotebookResult]]):
    """Long table of every headline figure: run_as_of, notebook, figure, value, unit,
    as_of (the date the figure refers to), label, status of that notebook run. A run that
    failed beside a kept good report gives that report's figures (`good_figures`), status
    'failed'."""
    import pandas as pd

    rows = []
    for d, res in by_date.items():
        for stem, r in res.items():
            figures = good_figures(r)
            if not figures:
                rows.append({"run_as_of": d, "notebook": stem, "figure": None, "value": None, "unit": None,
                             "as_of": None, "label": r.error, "status": r.status})
            for name, rec in figures.items():
                rows.append({"run_as_of": d, "notebook": stem, "figure": name, **rec, "status": r.status})
    return pd.DataFrame(rows, columns=["run_as_of", "notebook", "figure", "value", "unit", "as_of", "label", "status"])


def date_statuses(by_date: dict[str, dict[str, NotebookResult]]) -> list[dict]:
    """One row per run date of a sweep: date, status ("ok" when every notebook ran, else
    "failed") and the stems that failed."""
    rows = []
    for d, res in by_date.items():
        failed = [s for s, r in res.items() if r.status != "ok"]
        rows.append({"date": d, "status": "failed" if failed else "ok", "failed": failed})
    return rows


def comparison_html(by_date, table, wall: float) -> str:
    """The sweep's front page: status per date, a figure-by-date table, small multiples,
    verdicts by date, text figures by date."""
    from markupsafe import Markup

    from . import plotting

    numeric = table[table["value"].map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and v == v)]  # v == v: not NaN
    wide_numeric = small = wide_text = ""
    if len(numeric):
        wide = numeric.pivot_table(index=["notebook", "figure", "unit"], columns="run_as_of", values="value", aggfunc="first")
        wide_numeric = Markup(wide.to_html(float_format=lambda v: f"{v:,.4g}", na_rep="–"))  # pandas escapes cells
        small = plotting.small_multiples_png(numeric)
    text = table[table["value"].map(lambda v: isinstance(v, str)) & ~table["unit"].eq("verdict")]
    if len(text):
        wide = text.pivot_table(index=["notebook", "figure"], columns="run_as_of", values="value", aggfunc="first")
        wide_text = Markup(wide.to_html(na_rep="–"))
    return environment().get_template("comparison.html.j2").render(
        dates=date_statuses(by_date), wall=wall, commit=git_commit(), wide_numeric=wide_numeric,
        small_multiples=small, grid=verdict_grid(table), wide_text=wide_text)


def verdict_grid(table) -> dict:
    """The claims-by-date grid's data from a comparison table: figures with unit "verdict"
    (each claim's `<id>.verdict` and the synthesis's `thesis_verdict`, which comes first), one
    cell (date, text, colour) per run date, and the legend of verdict colours. No rows when no
    run recorded a verdict."""
    from .claims import VERDICT_COLOURS
    from .thesis import NOT_TESTED, UNDECIDED

    colours = {**VERDICT_COLOURS, UNDECIDED: VERDICT_COLOURS["inconclusive"],  # the thesis's "not decided by the data"
               NOT_TESTED: VERDICT_COLOURS["not testable"]}                   # and "conditions absent: not tested"
    legend = list(VERDICT_COLOURS.items())
    verdicts = table[table["unit"].eq("verdict")]
    if not len(verdicts):
        return {"dates": [], "rows": [], "legend": legend}
    wide = verdicts.pivot_table(index="figure", columns="run_as_of", values="value", aggfunc="first")
    dates = list(wide.columns)
    rows = []
    for figure in sorted(wide.index, key=lambda f: (f != THESIS_FIGURE, f)):
        name = figure[: -len(".verdict")] if figure.endswith(".verdict") else figure
        cells = []
        for d in dates:
            v = wide.at[figure, d]
            text = v if isinstance(v, str) else "–"
            cells.append({"date": d, "text": text, "colour": colours.get(text, "#ffffff")})
        rows.append({"name": name, "cells": cells})
    return {"dates": dates, "rows": rows, "legend": legend}


def verdict_grid_html(table) -> str:
    """Claims-by-date grid of verdicts (`verdict_grid`), one coloured cell per run date, so a
    sweep shows how the evidence for each claim evolved. Empty when no run recorded one."""
    return _part("verdict_grid", verdict_grid(table))


def good_figures(r: NotebookResult) -> dict:
    """The figures of the good report a result stands for: the kept earlier report's when this
    run failed beside it, the run's own when it succeeded, none when it failed with nothing kept."""
    if r.kept is not None:
        return r.kept["figures"]
    return r.figures if r.status == "ok" else {}


def thesis_lead(results: dict[str, NotebookResult]) -> dict | None:
    """The first good report recording `thesis_verdict`: its stem, that record and the result
    (the kept report when a later run failed); None when there is none."""
    for stem, r in results.items():
        rec = good_figures(r).get(THESIS_FIGURE)
        if rec is not None:
            return {"stem": stem, "record": rec, "result": r}
    return None


def thesis_lead_html(results: dict[str, NotebookResult]) -> str:
    """The index's opening: the synthesis notebook's `thesis_verdict` (value and one-line reading)
    with a link to its report, from a good report only (the kept one when a later run failed);
    empty when the synthesis did not run or recorded no verdict."""
    return _part("thesis_lead", thesis_lead(results))


def verdict_rows(figures: dict) -> list[dict]:
    """The claims check's verdicts (figures named `<id>.verdict`), one row each: claim, verdict,
    its colour, the measured value and unit (the figure named `<id>`), the evidence (label)."""
    from .claims import VERDICT_COLOURS

    rows = []
    for name, rec in figures.items():
        if not name.endswith(".verdict"):
            continue
        claim = name[: -len(".verdict")]
        measured = figures.get(claim, {})
        verdict = str(rec.get("value"))
        rows.append({"claim": claim, "verdict": verdict, "colour": VERDICT_COLOURS.get(verdict, "#ffffff"),
                     "value": measured.get("value"), "unit": measured.get("unit", ""), "evidence": rec.get("label", "")})
    return rows


def verdict_table_html(figures: dict) -> str:
    """The claims check's verdicts (`verdict_rows`) as a colour-coded table; empty when none."""
    return _part("verdict_table", verdict_rows(figures))


def headline_figures(figures: dict) -> list[tuple[str, dict]]:
    """The figures an index row lists: every recorded figure except verdicts (shown in their
    own tables)."""
    return [(k, v) for k, v in figures.items()
            if isinstance(v, dict) and not k.endswith(".verdict") and k != THESIS_FIGURE]


def index_html(results: dict[str, NotebookResult], wall: float, request: RunRequest) -> str:
    """The folder's front page (`results`: every report in it, `folder_reports`): the thesis
    verdict first (when notebook 06 has a good report), then the claims check's verdicts (when
    it has one), then every report with its own run date and parameters."""
    claims = next((r for s, r in results.items() if "claims" in s), None)
    reports = [{"result": r, "figures": headline_figures(r.kept["figures"] if r.kept is not None else r.figures)}
               for r in results.values()]
    return environment().get_template("index.html.j2").render(
        when=datetime.now(timezone.utc).isoformat(timespec="seconds"), commit=git_commit(), wall=wall,
        vintage=[(k.replace("_", " "), v) for k, v in data_vintage().items()],
        lead=thesis_lead(results), claims=claims,
        claims_rows=verdict_rows(good_figures(claims)) if claims is not None else [], reports=reports)
