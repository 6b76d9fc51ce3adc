"""Date-true prose: sentences generated from recorded figures, with their evidence attached.

A sentence in a report that depends on a number must be generated from that number at run
time, so that it stays true at any `as_of`. `say` renders a template whose slots are filled
from figures already recorded with `rotation.results.record`:

* `figure(name, fmt)`            the figure's value, formatted (e.g. "{:.1%}");
* `compare(name, op, ref, if_true, if_false)`
                                  one of two phrases, chosen by testing the figure against a
                                  number or another recorded figure (op: < <= > >= == !=);
* `text(value)`                   plain text that is not a figure (a month, a name).

Usage in a notebook, after the figures are recorded::

    findings.say("In {month} the top decile held {share} of market cap, {rank}.",
                 month=findings.text(window.as_of_month),
                 share=findings.figure("top_decile_share", "{:.1%}"),
                 rank=findings.compare("top_decile_share_percentile", ">=", 95,
                                       "among the most concentrated 5% of months",
                                       "not among the most concentrated 5% of months"))

The statement is shown as Markdown and embedded under the MIME type
`application/vnd.rotation.statement+json` with every figure it quotes and every comparison it
made, so a test can re-check each statement against `results.json` (see `check`).
"""
from __future__ import annotations

import json
import math
import operator
from dataclasses import dataclass, field

from . import results

MIME = "application/vnd.rotation.statement+json"
OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq, "!=": operator.ne}
MISSING = "not available at this date"


class FindingError(KeyError):
    """A statement refers to a figure that has not been recorded, or uses an unknown operator."""


@dataclass
class Part:
    """One filled slot of a statement: its text and the evidence behind it."""

    text: str
    evidence: dict = field(default_factory=dict)


def _value(name: str, figures: dict | None):
    figs = results.recorded() if figures is None else figures
    if name not in figs:
        raise FindingError(f"statement refers to figure {name!r}, which is not recorded; record it first "
                           f"(recorded: {', '.join(sorted(figs)) or 'none'})")
    return figs[name]["value"]


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def figure(name: str, fmt: str = "{}", figures: dict | None = None, missing: str = MISSING) -> Part:
    """The recorded value of figure `name`, formatted with `fmt` ("{:.1%}", "{:+.2f}", ...)."""
    value = _value(name, figures)
    text = missing if _missing(value) else fmt.format(value)
    return Part(text, {"kind": "figure", "figure": name, "format": fmt, "value": value, "text": text})


def holds(value, op: str, ref) -> bool | None:
    """`value op ref`, or None when either side is missing."""
    if op not in OPS:
        raise FindingError(f"unknown comparison {op!r}; allowed: {', '.join(OPS)}")
    if _missing(value) or _missing(ref):
        return None
    return bool(OPS[op](value, ref))


def compare(name: str, op: str, ref, if_true: str, if_false: str, figures: dict | None = None,
            missing: str = MISSING) -> Part:
    """`if_true` when figure `name` `op` `ref` holds, else `if_false`; `ref` is a number or the
    name of another recorded figure. When a value is missing, the `missing` phrase."""
    value = _value(name, figures)
    ref_value = _value(ref, figures) if isinstance(ref, str) else ref
    result = holds(value, op, ref_value)
    text = missing if result is None else (if_true if result else if_false)
    return Part(text, {"kind": "compare", "figure": name, "op": op, "ref": ref, "ref_value": ref_value,
                       "value": value, "holds": result, "text": text})


def text(value) -> Part:
    """Plain text in a statement (not a figure: a month, a name, a parameter)."""
    return Part(str(value), {"kind": "text", "text": str(value)})


def render(template: str, **parts: Part) -> dict:
    """The statement as {"text", "parts"}: the template filled with each part's text."""
    missing = [k for k, v in parts.items() if not isinstance(v, Part)]
    if missing:
        raise TypeError(f"statement slots {missing} must be figure(), compare() or text() parts")
    rendered = template.format(**{k: v.text for k, v in parts.items()})
    return {"text": rendered, "parts": {k: v.evidence for k, v in parts.items()}}


def say(template: str, **parts: Part) -> None:
    """Render a statement, show it as Markdown and embed it with its evidence (see module doc).
    Returns nothing, so that a notebook cell ending in `say(...)` shows the sentence once."""
    statement = render(template, **parts)
    try:
        from IPython import get_ipython
        from IPython.display import display

        if get_ipython() is not None:
            display({MIME: statement, "text/markdown": statement["text"], "text/plain": statement["text"]}, raw=True)
    except ImportError:  # pragma: no cover - IPython is a dependency
        pass


def from_notebook(nb) -> list[dict]:
    """Every statement embedded in an executed notebook (nbformat object), in order."""
    out = []
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            payload = output.get("data", {}).get(MIME)
            if payload:
                out.append(json.loads(payload) if isinstance(payload, str) else payload)
    return out


def check(statement: dict, figures: dict) -> list[str]:
    """Problems of one statement against recorded figures ({name: {"value", ...}}): a quoted
    figure whose text is not the recorded value formatted, a comparison that does not hold
    for the recorded values, or a part's text missing from the sentence. Empty when true."""
    problems = []
    for slot, ev in statement["parts"].items():
        if ev["text"] not in statement["text"]:
            problems.append(f"slot {slot}: text {ev['text']!r} not in the statement")
        if ev["kind"] == "figure":
            if ev["figure"] not in figures:
                problems.append(f"slot {slot}: figure {ev['figure']!r} is not in the recorded figures")
                continue
            value = figures[ev["figure"]]["value"]
            want = MISSING if _missing(value) else ev["format"].format(value)
            if want != ev["text"] and not _missing(value):
                problems.append(f"slot {slot}: says {ev['text']!r} but {ev['figure']} = {value!r} formats as {want!r}")
        elif ev["kind"] == "compare":
            if ev["figure"] not in figures or (isinstance(ev["ref"], str) and ev["ref"] not in figures):
                problems.append(f"slot {slot}: compares unrecorded figures {ev['figure']!r}, {ev['ref']!r}")
                continue
            value = figures[ev["figure"]]["value"]
            ref = figures[ev["ref"]]["value"] if isinstance(ev["ref"], str) else ev["ref"]
            result = holds(value, ev["op"], ref)
            if result != ev["holds"]:
                problems.append(f"slot {slot}: chose the phrase for {ev['figure']} {ev['op']} {ev['ref']} being "
                                f"{ev['holds']}, but with the recorded values ({value!r} vs {ref!r}) it is {result}")
    return problems
