"""Generated prose: statements render from recorded figures and can be re-checked against them."""
import pytest

from rotation import findings

FIGS = {"share": {"value": 0.781234, "unit": "share", "as_of": "2025-10-31", "label": ""},
        "pct": {"value": 97.5, "unit": "percentile", "as_of": "2025-10-31", "label": ""},
        "missing": {"value": None, "unit": "share", "as_of": "2025-10-31", "label": ""}}


def test_statement_fills_figures_and_chooses_the_phrase_that_holds():
    st = findings.render("The top decile held {share}, {rank} ({month}).",
                         share=findings.figure("share", "{:.1%}", figures=FIGS),
                         rank=findings.compare("pct", ">=", 95, "a near-record", "not a record", figures=FIGS),
                         month=findings.text("2025-10"))
    assert st["text"] == "The top decile held 78.1%, a near-record (2025-10)."
    assert findings.check(st, FIGS) == []


def test_compare_against_another_figure_and_missing_values():
    part = findings.compare("pct", "<", "share", "below", "above", figures=FIGS)
    assert part.text == "above" and part.evidence["holds"] is False
    part = findings.compare("missing", ">", 0.5, "high", "low", figures=FIGS)
    assert part.text == findings.MISSING and part.evidence["holds"] is None
    assert findings.figure("missing", "{:.1%}", figures=FIGS).text == findings.MISSING


def test_check_catches_a_wrong_number_and_a_wrong_phrase():
    st = findings.render("{a} and {b}", a=findings.figure("share", "{:.1%}", figures=FIGS),
                         b=findings.compare("pct", ">=", 95, "record", "ordinary", figures=FIGS))
    moved = {**FIGS, "share": {**FIGS["share"], "value": 0.5}, "pct": {**FIGS["pct"], "value": 40.0}}
    problems = findings.check(st, moved)
    assert len(problems) == 2
    assert "formats as '50.0%'" in problems[0] and "it is False" in problems[1]
    edited = {**st, "text": "78.1% and ordinary"}
    assert any("'record' not in the statement" in p for p in findings.check(edited, FIGS))


def test_unrecorded_figure_and_unknown_operator_are_named():
    with pytest.raises(findings.FindingError, match="'nope'"):
        findings.figure("nope", figures=FIGS)
    with pytest.raises(findings.FindingError, match="unknown comparison"):
        findings.compare("pct", "~", 1, "a", "b", figures=FIGS)
    with pytest.raises(TypeError, match="slots"):
        findings.render("{x}", x="plain string")
