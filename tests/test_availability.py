"""Publication rules and the data cutoff, on small hand-made frames with answers worked by hand."""
import pandas as pd
import pytest

from rotation import data, params
from rotation.data import availability as A


def monthly(values, first="2025-07"):
    idx = pd.period_range(first, periods=len(values), freq="M")
    return pd.Series(values, index=idx, dtype=float)


def test_month_end_lag_keeps_only_released_months():
    # CPI-like rule: a month is out 15 days after it ends. July ends 07-31 -> out 08-15;
    # August -> 09-15 (2025-08-31 + 15 days); September -> 10-15.
    rule = A.PublicationRule(anchor="month_end", lag_days=15)
    s = monthly([1.0, 2.0, 3.0])
    assert list(A.published(s, rule, "2025-09-14").index.astype(str)) == ["2025-07"]
    assert list(A.published(s, rule, "2025-09-15").index.astype(str)) == ["2025-07", "2025-08"]
    assert A.published(s, rule, None) is s


def test_fred_style_dates_anchor_on_the_month_not_the_first_day():
    # FRED dates monthly data on the first of the month: 2025-08-01 is August, out 2025-09-15.
    rule = A.PublicationRule(anchor="month_end", lag_days=15)
    s = pd.Series([1.0, 2.0], index=pd.to_datetime(["2025-07-01", "2025-08-01"]))
    assert list(A.release_dates(s.index, rule).date.astype(str)) == ["2025-08-15", "2025-09-15"]


def test_exceptions_move_a_release_and_a_missing_month_stays_missing():
    # Shutdown: September 2025 came out 2025-10-24 (not 10-15); October was never published.
    rule = A.PublicationRule(anchor="month_end", lag_days=15, exceptions={"2025-09": "2025-10-24"})
    s = pd.Series([1.0, 2.0, 3.0], index=pd.to_datetime(["2025-08-01", "2025-09-01", "2025-11-01"]))
    assert list(A.published(s, rule, "2025-10-23").index.month) == [8]
    assert list(A.published(s, rule, "2025-10-24").index.month) == [8, 9]
    assert list(A.published(s, rule, "2025-12-15").index.month) == [8, 9, 11]


def test_daily_lag_and_late_columns():
    rule = A.PublicationRule(anchor="day", lag_days=1)
    s = pd.Series([1.0, 2.0, 3.0], index=pd.to_datetime(["2025-01-02", "2025-01-03", "2025-01-06"]))
    assert len(A.published(s, rule, "2025-01-03")) == 1  # the 3rd's value is out on the 4th
    # A frame whose E column arrives 120 days after the month: at 2025-05-15 the January row
    # (ends 01-31, +31 days = 03-03) is out, but its E (01-31 + 120 = 05-31) is not yet.
    rule = A.PublicationRule(anchor="month_end", lag_days=31, late_columns={"E": 120})
    df = pd.DataFrame({"P": [10.0, 11.0], "E": [1.0, 1.1]}, index=pd.period_range("2025-01", periods=2, freq="M"))
    out = A.published(df, rule, "2025-05-15")
    assert list(out.index.astype(str)) == ["2025-01", "2025-02"]
    assert out["P"].tolist() == [10.0, 11.0]
    assert out["E"].isna().all()
    assert A.published(df, rule, "2025-05-31").loc["2025-01", "E"] == 1.0


def test_bad_rule_is_refused():
    with pytest.raises(ValueError, match="anchor"):
        A.PublicationRule(anchor="week", lag_days=1)
    with pytest.raises(ValueError, match="lag_days"):
        A.PublicationRule(anchor="day", lag_days=-1)


def test_recessions_known_at_counts_from_announcement_and_runs_on_until_the_trough_is_announced():
    # Peak 2007-12 (announced 2008-12-01), trough 2009-06 (announced 2010-09-20).
    points = A.TurningPoints({("peak", pd.Period("2007-12", "M")): pd.Timestamp("2008-12-01"),
                              ("trough", pd.Period("2009-06", "M")): pd.Timestamp("2010-09-20")}, 12, 21)
    idx = pd.date_range("2007-10-01", "2010-12-01", freq="MS")
    usrec = pd.Series(((idx >= "2008-01-01") & (idx <= "2009-06-01")).astype(float), index=idx)

    def known(when):
        return A.recessions_known_at(usrec[usrec.index <= when], points, when)

    # 2008-06-30: not announced -> no recession at all
    assert known("2008-06-30").sum() == 0
    # 2008-12-31: announced peak, no trough -> 2008-01 .. 2008-12 (12 months)
    k = known("2008-12-31")
    assert k.sum() == 12 and k["2008-01-01"] == 1 and k["2007-12-01"] == 0
    # 2009-12-31: still no trough announced -> 2008-01 .. 2009-12 (24 months), although it ended 2009-06
    assert known("2009-12-31").sum() == 24
    # 2010-12-31: trough announced -> exactly the 18 NBER months
    k = known("2010-12-31")
    assert k.sum() == 18 and k["2009-06-01"] == 1 and k["2009-07-01"] == 0


def test_turning_points_before_the_committee_use_the_assumed_lags():
    points = A.TurningPoints({}, 12, 21)
    assert points.announcement("peak", pd.Period("1973-11", "M")) == pd.Timestamp("1974-11-30")
    assert points.announcement("trough", pd.Period("1975-03", "M")) == pd.Timestamp("1976-12-31")


def test_the_seeded_announcements_match_the_recessions_in_usrec(store):
    """Every recession of the committee era in USREC has a peak and a trough in the table."""
    points = A.load_turning_points(data.turning_points_file())
    usrec = data.fred_series("USREC")
    first_months = usrec.index[(usrec >= 0.5) & (usrec.shift(1) < 0.5)].to_period("M")
    peaks = [m - 1 for m in first_months if m.year >= 1980]
    assert peaks == sorted(k[1] for k in points.announced if k[0] == "peak")
    assert all(points.announced[("peak", p)] > p.to_timestamp(how="end") for p in peaks)


def test_cutoff_applies_to_every_loader_and_is_undone(store):
    with data.cutoff("2008-06-30"):
        assert data.famafrench_table("ff_portfolios_me", "Number of Firms").index[-1] == pd.Period("2008-04", "M")
        # formed June 2008: not out before the July 2008 update -> last formation year 2007
        assert data.famafrench_table("ff_portfolios_ep", "Sum of E / Sum of ME").index[-1] == pd.Period("2007", "Y")
        assert data.fred_series("CPIAUCSL").index[-1] == pd.Timestamp("2008-05-01")  # May CPI out 06-15
        assert data.close_prices("SPY").index[-1] <= pd.Timestamp("2008-06-30")
        assert data.fred_series("USREC")["2008-01-01":].sum() == 0  # 2007-12 peak announced 2008-12-01
    assert data.current_cutoff() is None
    assert data.famafrench_table("ff_portfolios_me", "Number of Firms").index[-1] == pd.Period("2026-02", "M")


def test_validate_sets_the_cutoff_to_the_earlier_of_as_of_and_data_cutoff(store):
    w = params.validate("2009-06-30", "1990-01-01", core="ff_portfolios_me")
    assert w.cutoff == pd.Timestamp("2009-06-30") and data.current_cutoff() == w.cutoff
    # April 2009 ends 04-30, + 45 days = 06-14: published; May (06-30 + 45) is not
    assert w.as_of_month == pd.Period("2009-04", "M")
    assert "2009-04" in w.note
    w2 = params.validate("2009-06-30", "1990-01-01", core="ff_portfolios_me", data_cutoff="2009-06-30")
    assert w2 == w
    w3 = params.validate("2009-06-30", "1990-01-01", core="ff_portfolios_me", data_cutoff="2009-01-31")
    assert w3.cutoff == pd.Timestamp("2009-01-31") and w3.as_of_month == pd.Period("2008-11", "M")
    latest = params.validate("latest", "1990-01-01", core="ff_portfolios_me", data_cutoff="2009-06-30")
    assert latest.as_of == pd.Timestamp("2009-06-30") and latest.as_of_month == w.as_of_month
    # 'latest' alone is a real date: the day the store's newest Fama-French month came out (month end + 45 days),
    # and nothing published after it is used
    data.set_cutoff(None)  # the whole store
    last = data.coverage_of(("ff_portfolios_me",))["last"]
    released = last.to_timestamp(how="end").normalize() + pd.Timedelta(days=45)
    now = params.validate("latest", "1990-01-01")
    assert now.cutoff == released and now.as_of == released and data.current_cutoff() == released
    assert now.as_of_month == last and str(released.date()) in now.note


def test_bad_data_cutoff_is_refused_before_any_work():
    with pytest.raises(params.ParameterError, match="data_cutoff"):
        params.validate("2009-06-30", "1990-01-01", data_cutoff="June 2009")
    assert data.current_cutoff() is None
