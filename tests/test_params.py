import pandas as pd
import pytest

from rotation import params as P


@pytest.mark.parametrize("bad", ["not-a-date", "2025-13-01", "2025/12/31", "", "20251231", "2025-02-30"])
def test_malformed_as_of_names_parameter_and_allowed(bad):
    with pytest.raises(P.ParameterError) as exc:
        P.parse_date("as_of", bad, allow_latest=True)
    msg = str(exc.value)
    assert "`as_of`" in msg and repr(bad) in msg and "latest" in msg and "YYYY-MM-DD" in msg


def test_parse_date_forms():
    assert P.parse_date("as_of", "latest", allow_latest=True) is None
    assert P.parse_date("as_of", "2025-12-31") == pd.Timestamp("2025-12-31")
    assert P.parse_date("as_of", "2024-02") == pd.Timestamp("2024-02-29")  # month -> last day
    with pytest.raises(P.ParameterError):
        P.parse_date("start", "latest")  # start has no 'latest'


def test_complete_month():
    assert P.complete_month(pd.Timestamp("2025-12-31")) == pd.Period("2025-12", "M")
    assert P.complete_month(pd.Timestamp("2025-12-15")) == pd.Period("2025-11", "M")


def test_resolve_window_latest_and_clamps():
    w = P.resolve_window("latest", "1900-01-01", "1926-07", "2026-02")
    assert w.as_of_month == pd.Period("2026-02", "M") and w.start == pd.Period("1926-07", "M")
    assert "before the data start" in w.note
    w = P.resolve_window("2026-08-31", "2000-01-01", "1926-07", "2026-02")
    assert w.as_of_month == pd.Period("2026-02", "M")
    assert "after the last month" in w.note and "2026-02" in w.note
    w = P.resolve_window("2000-03-31", "1990-01-01", "1926-07", "2026-02")
    assert (w.start, w.as_of_month, w.note) == (pd.Period("1990-01", "M"), pd.Period("2000-03", "M"), "")
    assert len(w.months()) == 123


def test_resolve_window_errors():
    with pytest.raises(P.ParameterError, match="`as_of`.*before the data start"):
        P.resolve_window("1920-01-31", "1910-01-01", "1926-07", "2026-02")
    with pytest.raises(P.ParameterError, match="`start`.*after `as_of`"):
        P.resolve_window("2000-01-31", "2010-01-01", "1926-07", "2026-02")


def test_numeric_checks():
    assert P.check_int("horizon_years", 5, 1, 20) == 5
    with pytest.raises(P.ParameterError, match="`horizon_years`"):
        P.check_int("horizon_years", 0, 1, 20)
    with pytest.raises(P.ParameterError):
        P.check_int("horizon_years", 2.5, 1, 20)
    assert P.check_int_list("horizons_years", "3, 5,10", 1, 20) == [3, 5, 10]
    with pytest.raises(P.ParameterError, match="comma-separated"):
        P.check_int_list("horizons_years", "3;5", 1, 20)
    assert P.check_float("spread", 0.5, 0, 10, "percentage points") == 0.5
    with pytest.raises(P.ParameterError, match="percentage points"):
        P.check_float("spread", 11, 0, 10, "percentage points")


def test_window_clip_monthly_and_daily():
    w = P.resolve_window("2000-03-31", "2000-01-01", "1926-07", "2026-02")
    monthly = pd.Series(range(6), index=pd.period_range("1999-11", periods=6, freq="M"))
    assert list(w.clip(monthly).index.astype(str)) == ["2000-01", "2000-02", "2000-03"]
    daily = pd.Series(1.0, index=pd.to_datetime(["1999-12-31", "2000-01-03", "2000-03-31", "2000-04-03"]))
    assert list(w.clip(daily).index.strftime("%Y-%m-%d")) == ["2000-01-03", "2000-03-31"]


def test_as_of_after_the_snapshot_says_the_snapshot_ends_not_that_months_were_unpublished():
    # the store's core data end at its last month; 4 months later every earlier month had been published
    # (45-day lag), so the note must say the snapshot ends, not that later months came out after as_of
    from rotation import data

    last = data.coverage_of(("ff_portfolios_me",))["last"]
    later = (last + 4).to_timestamp(how="end").date()
    w = P.validate(str(later), "1926-07-01", core="ff_portfolios_me")
    assert w.as_of_month == last
    assert f"The snapshot's core data end at {last}" in w.note
    before = (last + 1).to_timestamp(how="end").date()  # a month later: the last month is not yet published
    w = P.validate(str(before), "1926-07-01", core="ff_portfolios_me")
    assert "had been published up to" in w.note


@pytest.mark.parametrize("value", ["0000-01-31", "0999-12", "2300-01-01"])
def test_dates_outside_the_supported_years_are_named_errors(value):
    with pytest.raises(P.ParameterError, match=r"parameter `as_of` = .* is out of range: .*year from 1800 to 2200"):
        P.parse_date("as_of", value)


# --- one declaration per notebook parameter (issue 15, plan-time checks) -----------------------

import ast  # noqa: E402
import re  # noqa: E402
import json  # noqa: E402
from pathlib import Path  # noqa: E402

from rotation import runner  # noqa: E402

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
STEMS = ["00_data_overview", "01_valuation_gap", "02_rate_sensitivity", "03_concentration",
         "04_refinancing_wall", "05_claims_check", "06_thesis_verdict"]

# Ranges written down by hand from the literal checks the notebooks' second cells made before
# the declarations existed (params.check_int(..., low, high) / check_float(..., low, high, unit)).
WHOLE_RANGES = [
    ("01_valuation_gap", "horizon_years", 1, 15),
    ("01_valuation_gap", "short_horizon_years", 1, 15),
    ("01_valuation_gap", "headline_draws", 19, 20000),
    ("01_valuation_gap", "bootstrap_draws", 19, 20000),
    ("02_rate_sensitivity", "window_months", 24, 240),
    ("02_rate_sensitivity", "months_before", 0, 36),
    ("02_rate_sensitivity", "months_after", 1, 60),
    ("02_rate_sensitivity", "randomisation_draws", 99, 20000),
    ("02_rate_sensitivity", "grid_draws", 99, 20000),
    ("03_concentration", "bootstrap_draws", 19, 9999),
    ("03_concentration", "headline_draws", 19, 9999),
    ("06_thesis_verdict", "easing_months", 1, 24),
    ("06_thesis_verdict", "signal_min_legs", 1, 4),
]
NUMBER_RANGES = [
    ("02_rate_sensitivity", "big_move_bp", 1, 100, "basis points"),
    ("03_concentration", "high_concentration_pct", 50, 99, "percentile"),
    ("06_thesis_verdict", "valuation_pct_min", 50, 99, "percentile"),
    ("06_thesis_verdict", "concentration_pct_min", 50, 99, "percentile"),
    ("06_thesis_verdict", "easing_cut_pp", 0, 3, "percentage points"),
    ("06_thesis_verdict", "credit_pct_max", 1, 99, "percentile"),
]


@pytest.mark.parametrize("stem", STEMS)
def test_every_notebook_parameter_is_declared_and_its_default_passes(stem):
    found = runner.notebook_parameters(NOTEBOOKS / f"{stem}.ipynb")
    assert set(found) == set(P.DECLARED[stem])
    defaults = {name: ast.literal_eval(info["default"]) for name, info in found.items()}
    for name, value in defaults.items():
        P.check(stem, name, value)  # raises ParameterError if a default were refused
    checked = P.check_all(stem, defaults)
    assert set(checked) == set(found)


def test_the_seven_notebooks_are_the_declared_ones():
    assert sorted(P.DECLARED) == sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == STEMS


@pytest.mark.parametrize("stem", STEMS)
def test_notebooks_read_the_declarations_not_literal_ranges(stem):
    cells = json.loads((NOTEBOOKS / f"{stem}.ipynb").read_text())["cells"]
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    for literal_check in ("check_int(", "check_float(", "check_int_list("):
        assert literal_check not in code


@pytest.mark.parametrize("stem,name,low,high", WHOLE_RANGES)
def test_whole_number_bounds(stem, name, low, high):
    allowed = f"expected a whole number from {low} to {high}"
    assert P.check(stem, name, low) == low and P.check(stem, name, high) == high
    assert P.from_text(stem, name, str(low)) == low and type(P.from_text(stem, name, str(high))) is int
    for outside in (low - 1, high + 1):
        with pytest.raises(P.ParameterError) as exc:
            P.check(stem, name, outside)
        assert str(exc.value) == f"parameter `{name}` = {outside} is out of range: {allowed}"
        with pytest.raises(P.ParameterError, match=f"`{name}` = {outside} is out of range: {allowed}"):
            P.from_text(stem, name, str(outside))
    with pytest.raises(P.ParameterError) as exc:
        P.from_text(stem, name, "abc")
    assert str(exc.value) == f"parameter `{name}` = 'abc' is not allowed: {allowed}"
    for not_whole in (low + 0.5, True, "7"):  # a fraction, a bool (True == 1), a string in the notebook
        with pytest.raises(P.ParameterError, match=f"`{name}` = .* is not allowed: {allowed}"):
            P.check(stem, name, not_whole)
    for text in (f"{low}.5", f"{low}.0", "1_0", "true", ""):
        with pytest.raises(P.ParameterError, match=f"`{name}` = '.*' is not allowed: {allowed}"):
            P.from_text(stem, name, text)


@pytest.mark.parametrize("stem,name,low,high,unit", NUMBER_RANGES)
def test_number_bounds(stem, name, low, high, unit):
    allowed = f"expected a number from {low} to {high} ({unit})"
    assert P.check(stem, name, low) == float(low) and P.check(stem, name, high) == float(high)
    assert P.from_text(stem, name, f"{high}.0") == float(high) and type(P.from_text(stem, name, str(low))) is float
    for outside in (low - 0.5, high + 0.5):
        with pytest.raises(P.ParameterError) as exc:
            P.check(stem, name, outside)
        assert str(exc.value) == f"parameter `{name}` = {outside} is out of range: {allowed}"
    with pytest.raises(P.ParameterError) as exc:
        P.from_text(stem, name, "abc")
    assert str(exc.value) == f"parameter `{name}` = 'abc' is not allowed: {allowed}"
    with pytest.raises(P.ParameterError, match=re.escape(f"`{name}` = nan is out of range: {allowed}")):
        P.from_text(stem, name, "nan")
    with pytest.raises(P.ParameterError, match=re.escape(f"`{name}` = True is not allowed: {allowed}")):
        P.check(stem, name, True)


def test_bootstrap_draws_are_declared_per_notebook():
    # notebook 01 allows 19 to 20000 draws, notebook 03 19 to 9999
    assert P.check("01_valuation_gap", "bootstrap_draws", 20000) == 20000
    assert P.from_text("01_valuation_gap", "bootstrap_draws", "10000") == 10000
    with pytest.raises(P.ParameterError, match="`bootstrap_draws` = 10000 is out of range: expected a whole number from 19 to 9999"):
        P.check("03_concentration", "bootstrap_draws", 10000)
    with pytest.raises(P.ParameterError, match="`bootstrap_draws` = 20000 is out of range: expected a whole number from 19 to 9999"):
        P.from_text("03_concentration", "bootstrap_draws", "20000")


def test_unknown_parameter_names_the_notebooks_parameters():
    with pytest.raises(P.ParameterError) as exc:
        P.from_text("02_rate_sensitivity", "window", "60")
    assert str(exc.value) == ("unknown parameter `window` for notebook 02_rate_sensitivity: it takes as_of, start, "
                              "data_cutoff, window_months, months_before, months_after, big_move_bp, "
                              "randomisation_draws, grid_draws")
    with pytest.raises(P.ParameterError, match="unknown parameter `window_months` for notebook 01_valuation_gap"):
        P.check("01_valuation_gap", "window_months", 60)


def test_a_notebook_without_declarations_is_left_to_the_caller():
    assert P.declared("99_toy") is None
    assert P.from_text("99_toy", "n", "abc") is None
    with pytest.raises(LookupError, match="'99_toy' declares no parameters"):
        P.check("99_toy", "n", 3)


def test_comma_list_of_whole_numbers():
    stem, allowed = "03_concentration", "expected comma-separated whole numbers from 1 to 20 (years), e.g. '3,5,10'"
    assert P.check(stem, "horizons_years", "3, 5,10") == [3, 5, 10]
    assert P.check(stem, "horizons_years", "1,20") == [1, 20]
    assert P.from_text(stem, "horizons_years", "1,20") == "1,20"  # passed to the notebook as the text it declares
    with pytest.raises(P.ParameterError) as exc:
        P.check(stem, "horizons_years", "3,21")
    assert str(exc.value) == f"parameter `horizons_years` = '3,21' is out of range: {allowed}"
    for bad in ("0,5", "3;5", "3,x", "", "-1"):
        with pytest.raises(P.ParameterError, match=f"`horizons_years` = '{bad}' is (out of range|not allowed): "):
            P.from_text(stem, "horizons_years", bad)


def test_date_kinds():
    stem = "05_claims_check"
    assert P.check(stem, "as_of", "latest") is None
    assert P.check(stem, "as_of", "2024-02") == pd.Timestamp("2024-02-29")  # a month: its last day
    assert P.check(stem, "start", "1926-07-01") == pd.Timestamp("1926-07-01")
    assert P.check(stem, "data_cutoff", "none") is None
    assert P.check(stem, "data_cutoff", "2020-06-30") == pd.Timestamp("2020-06-30")
    assert P.from_text(stem, "as_of", "latest") == "latest"
    with pytest.raises(P.ParameterError, match="`start` = 'latest' is not a valid date"):
        P.check(stem, "start", "latest")
    with pytest.raises(P.ParameterError, match="`data_cutoff` = '2020-13-01' is not allowed: expected 'none' or an ISO date"):
        P.from_text(stem, "data_cutoff", "2020-13-01")
    with pytest.raises(P.ParameterError, match="`as_of` = '1799-12-31' is out of range"):
        P.from_text(stem, "as_of", "1799-12-31")


def test_whatif_parameters_are_checked_by_the_credit_parser():
    stem = "04_refinancing_wall"
    assert P.DECLARED[stem]["floating_share"].parser == "credit.parse_whatif"
    assert P.from_text(stem, "floating_share", "0.4") == 0.4
    assert P.check(stem, "maturing_by_year", "0.1,0.2") == (0.1, 0.2)
    assert P.from_text(stem, "maturing_coupon", "data") == "data"
    assert P.from_text(stem, "base_rate_path", "3,3,3,3") == "3,3,3,3"  # alone: any number of years
    with pytest.raises(P.ParameterError, match=r"`floating_share` = 1.5 is out of range: expected a number from 0 to 1"):
        P.from_text(stem, "floating_share", "1.5")
    with pytest.raises(P.ParameterError, match=r"`interest_coverage` = 'abc' is not allowed: expected a number from 0.1 to 100"):
        P.from_text(stem, "interest_coverage", "abc")
    with pytest.raises(P.ParameterError, match=r"`maturing_by_year` = '0.6,0.6' adds up to more than all fixed-rate debt"):
        P.from_text(stem, "maturing_by_year", "0.6,0.6")


def test_check_all_applies_the_rules_that_tie_whatif_parameters_together():
    values = {"maturing_by_year": "0.12,0.18,0.22", "maturing_coupon": "data", "new_issue_spread": "data",
              "base_rate_now": "4", "base_rate_path": "4,3.5", "floating_share": 0.3, "floating_spread": 3.5,
              "interest_coverage": 3.0}
    with pytest.raises(P.ParameterError, match=r"`base_rate_path` = '4,3.5' has 2 values but `maturing_by_year` has 3"):
        P.check_all("04_refinancing_wall", values)
    checked = P.check_all("04_refinancing_wall", {**values, "base_rate_path": "4,3.5,3"})
    assert checked["base_rate_path"] == (4.0, 3.5, 3.0) and checked["base_rate_now"] == 4.0


def test_a_declaration_must_be_complete():
    with pytest.raises(ValueError, match="low <= high"):
        P.ParamSpec("int", "a count", 5, 1)
    with pytest.raises(ValueError, match="needs a parser"):
        P.ParamSpec("text", "free text")
    with pytest.raises(ValueError, match="kind 'integer' is not one of"):
        P.ParamSpec("integer", "a count", 1, 5)


def test_the_start_hint_names_the_last_allowed_day():
    """As_of month 2025-10 (data to October): a start in October leaves one month and is
    allowed; a start on 1 November is refused and the hint names 31 October, the last day
    that works (it used to name 1 October, a month too early)."""
    window = P.resolve_window("2025-10-31", "2025-10-15", pd.Period("1926-07", "M"), pd.Period("2025-10", "M"))
    assert window.start == window.as_of_month == pd.Period("2025-10", "M")
    with pytest.raises(P.ParameterError, match=r"`start` = '2025-11-01' is after the as_of month 2025-10 .*"
                       r"allowed: a date up to 2025-10-31$"):
        P.resolve_window("2025-12-31", "2025-11-01", pd.Period("1926-07", "M"), pd.Period("2025-10", "M"))


def test_rotation_params_shows_each_declared_range(capsys):
    from rotation import cli

    assert cli.main(["params", "02"]) == 0
    lines = {line.split(":", 1)[0].strip(): line for line in capsys.readouterr().out.splitlines()[1:]}
    assert lines["window_months"].endswith("[allowed: a whole number from 24 to 240]")
    assert lines["big_move_bp"].endswith("[allowed: a number from 1 to 100 (basis points)]")
