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
