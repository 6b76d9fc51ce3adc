"""The HTML pages of a report folder: the index of a run and the comparison page of a sweep."""
from __future__ import annotations

import html
import json
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from .execute import NotebookResult

if TYPE_CHECKING:
    from .plan import RunRequest
from .provenance import data_vintage, git_commit


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


def comparison_html(by_date, table, wall: float) -> str:
    """The sweep's front page: status per date, a figure-by-date table, small multiples."""
    from . import plotting

    dates = list(by_date)
    status = {d: ("ok" if all(r.status == "ok" for r in res.values()) else "failed") for d, res in by_date.items()}
    head = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>Sweep comparison</title><style>"
            "body{font-family:system-ui,sans-serif;max-width:1200px;margin:1em auto;padding:0 1em;color:#222}"
            "table{border-collapse:collapse;margin:0.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px 6px;font-size:12px}"
            "th{background:#f3f3f3}.failed{background:#f8d7da}.ok{background:#d4edda}img{max-width:100%}</style></head><body>")
    parts = [head, f"<h1>Sweep over {len(dates)} dates</h1><p>wall time {wall:.1f}s · git commit <code>{html.escape(git_commit())}</code>"
             " · <a href='comparison.csv'>comparison.csv</a></p>", "<table><tr><th>as_of</th><th>status</th><th>report</th></tr>"]
    for d in dates:
        failed = [s for s, r in by_date[d].items() if r.status != "ok"]
        parts.append(f"<tr><td>{d}</td><td class='{status[d]}'>{status[d]}{': ' + html.escape(', '.join(failed)) if failed else ''}"
                     f"</td><td><a href='{d}/index.html'>{d}/index.html</a></td></tr>")
    parts.append("</table>")
    numeric = table[table["value"].map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool))]
    if len(numeric):
        wide = numeric.pivot_table(index=["notebook", "figure", "unit"], columns="run_as_of", values="value", aggfunc="first")
        parts.append("<h2>Headline figures by date</h2>" + wide.to_html(float_format=lambda v: f"{v:,.4g}", na_rep="–"))
        parts.append("<h2>Small multiples</h2>" + f"<img alt='small multiples' src='data:image/png;base64,{plotting.small_multiples_png(numeric)}'>")
    parts.append(verdict_grid_html(table))
    text = table[table["value"].map(lambda v: isinstance(v, str)) & ~table["unit"].eq("verdict")]
    if len(text):
        wide = text.pivot_table(index=["notebook", "figure"], columns="run_as_of", values="value", aggfunc="first")
        parts.append("<h2>Text figures (months, labels) by date</h2>" + wide.to_html(na_rep="–"))
    parts.append("</body></html>")
    return "\n".join(parts)


THESIS_FIGURE = "thesis_verdict"  # recorded by notebook 06 (unit "verdict"): the collection's bottom line


def verdict_grid_html(table) -> str:
    """Claims-by-date grid of verdicts (figures with unit "verdict": each claim's `<id>.verdict`
    from the claims check and the synthesis's `thesis_verdict`), one coloured cell per run date,
    so a sweep shows how the evidence for each claim evolved. Empty when no run recorded one."""
    from .claims import VERDICT_COLOURS
    from .thesis import NOT_TESTED, UNDECIDED

    colours = {**VERDICT_COLOURS, UNDECIDED: VERDICT_COLOURS["inconclusive"],  # the thesis's "not decided by the data"
               NOT_TESTED: VERDICT_COLOURS["not testable"]}                   # and "conditions absent: not tested"
    verdicts = table[table["unit"].eq("verdict")]
    if not len(verdicts):
        return ""
    wide = verdicts.pivot_table(index="figure", columns="run_as_of", values="value", aggfunc="first")
    order = sorted(wide.index, key=lambda f: (f != THESIS_FIGURE, f))
    dates = list(wide.columns)
    rows = []
    for figure in order:
        name = figure[: -len(".verdict")] if figure.endswith(".verdict") else figure
        cells = []
        for d in dates:
            v = wide.at[figure, d]
            text = "–" if not isinstance(v, str) else v
            cells.append(f"<td style='background:{colours.get(text, '#ffffff')}' title='{html.escape(name)} at {html.escape(str(d))}'>"
                         f"{html.escape(text)}</td>")
        rows.append(f"<tr><th><code>{html.escape(name)}</code></th>{''.join(cells)}</tr>")
    legend = " ".join(f"<span style='background:{c};padding:1px 6px'>{html.escape(v)}</span>" for v, c in VERDICT_COLOURS.items())
    return ("<h2>Verdicts by date</h2><p>Each claim's verdict at each run date (a claim whose window had not closed is "
            f"<i>not yet observable</i>). {legend}</p><table class='verdict-grid'><tr><th>claim</th>"
            + "".join(f"<th>{html.escape(str(d))}</th>" for d in dates) + "</tr>" + "".join(rows) + "</table>")


def good_figures(r: NotebookResult) -> dict:
    """The figures of the good report a result stands for: the kept earlier report's when this
    run failed beside it, the run's own when it succeeded, none when it failed with nothing kept."""
    if r.kept is not None:
        return r.kept["figures"]
    return r.figures if r.status == "ok" else {}


def _kept_note(r: NotebookResult) -> str:
    if r.kept is None:
        return ""
    return (f" <small>(from the last good report of {html.escape(str(r.kept['finished']))}; "
            f"<a href='{html.escape(r.stem)}.failed.html'>the latest run failed</a>)</small>")


def thesis_lead_html(results: dict[str, NotebookResult]) -> str:
    """The index's opening: the synthesis notebook's `thesis_verdict` (value and one-line reading)
    with a link to its report, from a good report only (the kept one when a later run failed);
    empty when the synthesis did not run or recorded no verdict."""
    for stem, r in results.items():
        rec = good_figures(r).get(THESIS_FIGURE)
        if rec is None:
            continue
        return (f"<h2>Bottom line</h2><p class='thesis'><b>{html.escape(str(rec.get('value')))}</b> "
                f"<small>(as of {html.escape(str(rec.get('as_of')))})</small>: {html.escape(str(rec.get('label', '')))} "
                f"<a href='{html.escape(stem)}.html'>Read the thesis verdict ({html.escape(stem)})</a>.{_kept_note(r)}</p>")
    return ""


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:,.4g}"
    return "–" if value is None else str(value)


def verdict_table_html(figures: dict) -> str:
    """The claims check's verdicts (figures named `<id>.verdict`) as a colour-coded table."""
    from .claims import VERDICT_COLOURS

    rows = []
    for name, rec in figures.items():
        if not name.endswith(".verdict"):
            continue
        claim = name[: -len(".verdict")]
        measured = figures.get(claim, {})
        verdict = str(rec.get("value"))
        colour = VERDICT_COLOURS.get(verdict, "#ffffff")
        rows.append(f"<tr><td><code>{html.escape(claim)}</code></td>"
                    f"<td style='background:{colour}'><b>{html.escape(verdict)}</b></td>"
                    f"<td>{html.escape(_fmt(measured.get('value')))} {html.escape(str(measured.get('unit', '')))}</td>"
                    f"<td>{html.escape(str(rec.get('label', '')))}</td></tr>")
    if not rows:
        return ""
    return ("<h2>Claims check: verdicts</h2><table class='verdicts'><tr><th>claim</th><th>verdict</th>"
            "<th>measured</th><th>evidence</th></tr>" + "".join(rows) + "</table>")


def _params_text(parameters) -> str:
    if parameters is None:
        return "unknown <small>(a report from before run records)</small>"
    return f"<code>{html.escape(json.dumps(parameters))}</code>" if parameters else "<code>defaults</code>"


def index_html(results: dict[str, NotebookResult], wall: float, request: RunRequest) -> str:
    """The folder's front page (`results`: every report in it, `folder_reports`): the thesis
    verdict first (when notebook 06 has a good report), then the claims check's verdicts (when
    it has one), then every report with its own run date and parameters."""
    vintage = data_vintage()
    commit = git_commit()
    when = datetime.now(timezone.utc).isoformat(timespec="seconds")
    parts = ["<!DOCTYPE html><html><head><meta charset='utf-8'><title>Great Rotation reports</title>",
             "<style>body{font-family:system-ui,sans-serif;max-width:1150px;margin:1em auto;padding:0 1em;color:#222}"
             "table{border-collapse:collapse;margin:0.5em 0 1.5em}td,th{border:1px solid #ccc;padding:4px 8px;"
             "vertical-align:top;font-size:13px}th{background:#f3f3f3}.failed{background:#f8d7da}.ok{background:#d4edda}"
             "code{font-size:12px}</style></head><body>",
             "<h1>The Great Rotation: research reports</h1>",
             f"<p>Index rebuilt {html.escape(when)} from the {len(results)} report(s) in this folder · last run: "
             f"git commit <code>{html.escape(commit)}</code>, wall time {wall:.1f}s</p>",
             "<p>Data: " + " · ".join(f"{html.escape(k.replace('_', ' '))}: <code>{html.escape(str(v))}</code>"
                                       for k, v in vintage.items()) + "</p>"]
    parts.append(thesis_lead_html(results))
    claims = next((r for s, r in results.items() if "claims" in s), None)
    if claims is not None:
        table = verdict_table_html(good_figures(claims))
        parts.append(table.replace("</h2>", f"</h2><p>{_kept_note(claims)}</p>", 1) if table and claims.kept is not None else table)
    parts.append("<h2>Reports</h2><table><tr><th>notebook</th><th>status</th><th>parameters</th>"
                 "<th>finished (UTC) · run time</th><th>headline figures</th></tr>")
    for stem, r in results.items():
        shown = r.kept["figures"] if r.kept is not None else r.figures
        figs = "".join(
            f"<li><code>{html.escape(k)}</code> = {html.escape(_fmt(v.get('value')))} {html.escape(str(v.get('unit', '')))}"
            f" <small>(as of {html.escape(str(v.get('as_of')))}; {html.escape(str(v.get('label', '')))})</small></li>"
            for k, v in shown.items() if isinstance(v, dict) and not k.endswith(".verdict") and k != THESIS_FIGURE)
        status = r.status + (f": {html.escape(r.error)}" if r.error else "")
        params = _params_text(r.parameters)
        link = f"<a href='{html.escape(stem)}.html'>{html.escape(stem)}</a>"
        if r.kept is not None:  # the failure sits beside the last good report, which is kept
            when = html.escape(r.kept["finished"])
            link = (f"{html.escape(stem)}<br><a href='{html.escape(stem)}.failed.html'>this run's failure</a><br>"
                    f"<a href='{html.escape(stem)}.html' class='kept'>last good report</a> <small>({when})</small>")
            status += f"<br><small>kept the last good report of {when}; its figures are shown</small>"
            figs = f"<small>from the earlier run of {when}:</small>" + figs
            params = f"this run: {params}<br>kept report: {_params_text(r.kept.get('parameters'))}"
        took = "run time unknown" if r.seconds is None else f"{r.seconds:.1f}s"
        parts.append(f"<tr><td>{link}</td>"
                     f"<td class='{'ok' if r.status == 'ok' else 'failed'}'>{status}</td><td>{params}</td>"
                     f"<td>{html.escape(r.finished or 'unknown')} · {took}</td><td><ul>{figs}</ul></td></tr>")
    parts.append("</table><p><a href='results.json'>results.json</a>: every headline figure, machine-readable.</p>")
    parts.append("</body></html>")
    return "\n".join(parts)

