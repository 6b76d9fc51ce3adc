import numpy as np
import pandas as pd
import pytest

from rotation import credit
from rotation.params import ParameterError, Window


def frame(rows, cols, start="2020-01"):
    return pd.DataFrame(rows, columns=cols, index=pd.period_range(start, periods=len(rows), freq="M"), dtype=float)


def test_unprofitable_share_and_sizes_hand_computed():
    firms = frame([[40, 30, 40, 30]], credit.EP_BUCKETS)
    size = frame([[10, 100, 200, 300]], credit.EP_BUCKETS)
    assert credit.unprofitable_share(firms).iloc[0] == pytest.approx(40 / 140)
    s = credit.average_size_loss_vs_profit(firms, size).iloc[0]
    # profitable: (30*100 + 40*200 + 30*300) / 100 = 200
    assert s["loss_making"] == 10 and s["profitable"] == pytest.approx(200) and s["ratio"] == pytest.approx(0.05)


def test_refinancing_whatif_by_hand():
    a = credit.RefinancingAssumptions(maturing_by_year=(0.5,), maturing_coupon=4.0, new_issue_spread=2.0, base_rate_now=3.0,
                                  base_rate_path=(5.0,), floating_share=0.5, floating_spread=1.0, interest_coverage=2.0)
    out = credit.refinancing_whatif(a)
    # today: fixed 50 x 4% = 2, floating 50 x (3+1)% = 2 -> 4; EBIT = 2 x 4 = 8
    assert out.loc[0, "interest"] == pytest.approx(4.0)
    # year 1: unmatured fixed 25 x 4% = 1, refinanced 25 x (5+2)% = 1.75, floating 50 x 6% = 3 -> 5.75
    assert out.loc[1, "interest"] == pytest.approx(5.75)
    assert out.loc[1, "change_pct"] == pytest.approx(5.75 / 4 - 1)
    assert out.loc[1, "coverage"] == pytest.approx(8 / 5.75)


def test_whatif_multi_year_keeps_coupon_of_each_vintage():
    a = credit.RefinancingAssumptions(maturing_by_year=(0.5, 0.5), maturing_coupon=4.0, new_issue_spread=0.0, base_rate_now=0.0,
                                  base_rate_path=(6.0, 2.0), floating_share=0.0, floating_spread=0.0, interest_coverage=1.0)
    out = credit.refinancing_whatif(a)
    # year 2: first half refinanced at 6% in year 1 keeps 6%; second half at 2% -> 50*6% + 50*2% = 4
    assert out.loc[1, "interest"] == pytest.approx(50 * 0.04 + 50 * 0.06)
    assert out.loc[2, "interest"] == pytest.approx(4.0)


def test_whatif_rejects_inconsistent_assumptions():
    with pytest.raises(ValueError, match="one value per year"):
        credit.RefinancingAssumptions((0.1, 0.2), 5, 3, 3, (3.0,), 0.3, 3, 3)
    with pytest.raises(ValueError, match="more than all"):
        credit.RefinancingAssumptions((0.7, 0.7), 5, 3, 3, (3.0, 3.0), 0.3, 3, 3)


def test_whatif_grid_matches_single_runs():
    a = credit.RefinancingAssumptions((0.5,), 4.0, 2.0, 3.0, (5.0,), 0.5, 1.0, 2.0)
    g = credit.whatif_grid(a, [5.0, 1.0], [2.0])
    assert g.loc[5.0, 2.0] == pytest.approx(5.75 / 4 - 1)
    # base 1%: 1 + 25 x 3% + 50 x 2% = 2.75
    assert g.loc[1.0, 2.0] == pytest.approx(2.75 / 4 - 1)


def test_prime_rate_splice_hand_made():
    d = pd.to_datetime(["2022-12-13", "2022-12-14", "2022-12-15", "2022-12-16", "2022-12-19"])
    dprime = pd.Series([7.0, 7.0, 7.5], index=d[:3])
    upper = pd.Series([4.0, 4.0, 4.5, 4.5, 4.5], index=d)
    prime, start, check = credit.prime_rate(dprime, upper)
    assert list(prime) == [7.0, 7.0, 7.5, 7.5, 7.5] and start == pd.Timestamp("2022-12-16")
    assert check == {"overlap_days": 3, "share_matching": 1.0, "max_abs_diff": 0.0}


def test_baa_minus_10y_newer_wins():
    baa = pd.Series([6.0, 6.0], index=pd.to_datetime(["2016-03-01", "2016-04-01"]))
    dgs10 = pd.Series([2.0, 2.0, 1.0], index=pd.to_datetime(["2016-03-10", "2016-04-10", "2016-04-20"]))
    baa10y = pd.Series([3.0, 3.2], index=pd.to_datetime(["2016-04-28", "2016-04-29"]))  # April 2016 ends on Friday 04-29
    out = credit.baa_minus_10y(baa, dgs10, baa10y)
    assert out.loc["2016-03", "spread"] == pytest.approx(4.0) and out.loc["2016-03", "source"] == "Baa - DGS10"
    assert out.loc["2016-04", "spread"] == pytest.approx(3.1) and out.loc["2016-04", "source"] == "BAA10Y"


def test_level_vs_periods_uses_no_data_after_as_of():
    s = pd.Series([1.0, 2.0, 3.0, 9.0], index=pd.PeriodIndex(["2021-01", "2021-12", "2022-06", "2022-07"], freq="M"))
    out = credit.level_vs_periods({"x": s}, {"2021": ("2021-01", "2021-12"), "2022": ("2022-01", "2022-12")}, "2022-06-30")
    # the 2022-07 value is after as_of: the value is June's 3; 2021 mean (1+2)/2; 2022 is not over
    assert out.loc["x", "value at as_of"] == 3.0 and out.loc["x", "date"] == "2022-06"
    assert out.loc["x", "mean 2021"] == 1.5 and out.loc["x", "difference vs 2021"] == 1.5
    assert np.isnan(out.loc["x", "mean 2022"])
    # the 2021 mean uses two months, January and December
    assert out.loc["x", "months in mean 2021"] == "2021-01..2021-12 (2)" and out.loc["x", "months in mean 2022"] is None


def test_level_vs_periods_daily():
    d = pd.Series([4.0, 6.0, 5.0, 7.0], index=pd.to_datetime(["2021-01-04", "2021-11-30", "2022-02-14", "2022-02-16"]))
    out = credit.level_vs_periods({"d": d}, {"2021": ("2021-01", "2021-12")}, "2022-02-15")
    assert out.loc["d", "value at as_of"] == 5.0 and out.loc["d", "date"] == "2022-02-14"
    assert out.loc["d", "mean 2021"] == 5.0 and out.loc["d", "difference vs 2021"] == 0.0
    assert out.loc["d", "months in mean 2021"] == "2021-01..2021-11 (2)"   # two days in two months
    # a series that begins inside the period is not averaged over part of it
    late = credit.level_vs_periods({"d": d}, {"2020-21": ("2020-01", "2021-12")}, "2022-02-15")
    assert np.isnan(late.loc["d", "mean 2020-21"]) and np.isnan(late.loc["d", "difference vs 2020-21"])


def test_earnings_fiscal_year_by_hand():
    # formed June 2009 on FY2008 earnings, held July 2009 - June 2010
    assert credit.earnings_fiscal_year("2009-06") == 2007
    assert credit.earnings_fiscal_year("2009-07") == 2008
    assert credit.earnings_fiscal_year(pd.Period("2009-12", "M")) == 2008
    assert credit.earnings_fiscal_year(pd.Timestamp("2010-01-31")) == 2008
    assert credit.earnings_fiscal_year("2010-06") == 2008
    idx = pd.period_range("2009-05", "2009-08", freq="M")
    assert list(credit.earnings_fiscal_years(idx)) == [2007, 2007, 2008, 2008]


def test_reformation_changes_by_hand():
    # June 0.20 -> July 0.25 (+0.05), other months move by 0.01 and 0.03
    s = pd.Series([0.21, 0.20, 0.25, 0.22], index=pd.period_range("2009-05", periods=4, freq="M"))
    r = credit.reformation_changes(s)
    assert r["last_july"] == pd.Period("2009-07", "M")
    assert r["last_july_change"] == pytest.approx(0.05)
    assert r["july_mean_abs_change"] == pytest.approx(0.05)
    assert r["other_mean_abs_change"] == pytest.approx((0.01 + 0.03) / 2)
    assert credit.reformation_changes(s.iloc[:2])["last_july"] is None


WHATIF_OK = dict(maturing_by_year="0.2,0.3", maturing_coupon="data", new_issue_spread="4", base_rate_now="data",
                 base_rate_path="data", floating_share=0.3, floating_spread=3.5, interest_coverage=3.0)


def test_parse_whatif_accepts_data_and_numbers():
    out = credit.parse_whatif(**WHATIF_OK)
    assert out["maturing_by_year"] == (0.2, 0.3) and out["new_issue_spread"] == 4.0
    assert out["maturing_coupon"] == out["base_rate_now"] == out["base_rate_path"] == "data"
    assert credit.parse_whatif(**{**WHATIF_OK, "base_rate_path": "1, 2"})["base_rate_path"] == (1.0, 2.0)


@pytest.mark.parametrize("name, value, message", [
    ("base_rate_now", "today", r"`base_rate_now` = 'today' is not allowed: expected 'data' \(effective fed funds"),
    ("base_rate_now", "31", r"`base_rate_now` = '31' is out of range: expected 'data' .* or a number from 0 to 30"),
    ("base_rate_path", "3.5;3.0", r"`base_rate_path` = '3.5;3.0' is not allowed: expected 'data' .* comma-separated numbers"),
    ("base_rate_path", "3,3,3", r"`base_rate_path` = '3,3,3' has 3 values but `maturing_by_year` has 2"),
    ("maturing_by_year", "data", r"`maturing_by_year` = 'data' is not allowed: expected comma-separated numbers from 0 to 1"),
    ("maturing_by_year", "0.7,0.7", r"adds up to more than all fixed-rate debt"),
    ("floating_share", 1.5, r"`floating_share` = 1.5 is out of range: expected a number from 0 to 1"),
    ("new_issue_spread", True, r"`new_issue_spread` = True is not allowed"),
])
def test_parse_whatif_rejects_with_a_clear_message(name, value, message):
    with pytest.raises(ParameterError, match=message):
        credit.parse_whatif(**{**WHATIF_OK, name: value})


def _month(values, start):
    return pd.Series(values, index=pd.period_range(start, periods=len(values), freq="M"), dtype=float)


def test_data_defaults_by_hand():
    # fed funds monthly 2006-01..2009-06; the June value is there (as if published) and used
    ff = _month([2.0] * 36 + [1.0] * 6, "2006-01")
    hy_days = pd.to_datetime(["2009-06-10", "2009-06-30", "2009-07-01"])  # June complete (06-30 is its last weekday)
    hy = pd.Series([9.0, 11.0, 20.0], index=hy_days)          # 2009-07-01 is after as_of: unused
    baa = _month([1.5] * 41 + [2.5], "2006-01")               # 1.5 to 2009-05, 2.5 in 2009-06
    d = credit.data_defaults({"FF": ff}, {"HY": hy, "Baa": baa}, "2009-06-30", years=3, issue_years=2)
    assert d["base_rate_now"]["value"] == 1.0 and d["base_rate_now"]["date"] == pd.Period("2009-06", "M")
    assert d["base_rate_path"]["value"] == (1.0, 1.0, 1.0)
    # HY begins inside the issue years 2007-07..2009-06, so BOTH inputs use Baa: new issue = Baa's
    # 2009-06 value 2.5 (not HY's 11); coupon = mean base 1.75 + mean Baa (23 x 1.5 + 2.5) / 24 = 1.54167
    assert d["new_issue_spread"]["value"] == 2.5 and d["new_issue_spread"]["source"].startswith("Baa, 2009-06")
    assert d["maturing_coupon"]["value"] == pytest.approx(1.75 + (23 * 1.5 + 2.5) / 24)
    assert "2007-07..2009-06 (24 months with both)" in d["maturing_coupon"]["source"]
    assert "spread Baa" in d["maturing_coupon"]["source"] and "HY" not in d["maturing_coupon"]["source"]
    # with HY covering the issue years, both use HY: daily 4.0 from 2007-01-01 to 2009-05-31, then 9 and 11 in June
    hy_long = pd.concat([pd.Series(4.0, index=pd.date_range("2007-01-01", "2009-05-31", freq="D")), hy])
    d2 = credit.data_defaults({"FF": ff}, {"HY": hy_long, "Baa": baa}, "2009-06-30", years=3, issue_years=2)
    assert d2["new_issue_spread"]["value"] == 11.0 and d2["new_issue_spread"]["source"].startswith("HY, 2009-06-30")
    # coupon: base 1.75 + HY monthly means (23 months of 4.0, June (9 + 11) / 2 = 10) / 24 = 1.75 + 4.25 = 6.0
    assert d2["maturing_coupon"]["value"] == pytest.approx(6.0)
    # a June the daily series does not finish by as_of (last value 06-29) gives no June mean: 23 months of 4.0
    hy_short = pd.concat([pd.Series(4.0, index=pd.date_range("2007-01-01", "2009-05-31", freq="D")),
                          pd.Series([9.0, 11.0], index=pd.to_datetime(["2009-06-10", "2009-06-29"]))])
    d4 = credit.data_defaults({"FF": ff}, {"HY": hy_short, "Baa": baa}, "2009-06-30", years=3, issue_years=2)
    assert "2007-07..2009-05 (23 months with both)" in d4["maturing_coupon"]["source"]
    # fed funds and Baa end a month early (published with a lag): the coupon uses the 23 months with both, and says so;
    # base 2007-07..2008-12 at 2.0 (18 months), 2009-01..05 at 1.0 (5) -> 41 / 23; Baa 1.5
    d3 = credit.data_defaults({"FF": ff.iloc[:-1]}, {"Baa": baa.iloc[:-1]}, "2009-06-30", years=1, issue_years=2)
    assert d3["maturing_coupon"]["value"] == pytest.approx(41 / 23 + 1.5)
    assert "2007-07..2009-05 (23 months with both)" in d3["maturing_coupon"]["source"]


def test_data_defaults_fall_back_and_skip_stale_sources():
    old = _month([7.0], "1990-01")                             # ended long before as_of: skipped
    tb = _month([3.0, 4.0], "1953-05")
    d = credit.data_defaults({"OLD": old, "TB": tb}, {"HY": pd.Series(dtype=float)}, "1953-06-30", years=1, issue_years=1)
    assert d["base_rate_now"]["value"] == 4.0 and d["base_rate_now"]["source"].startswith("TB")
    assert np.isnan(d["new_issue_spread"]["value"]) and d["new_issue_spread"]["source"] == "no data at as_of"
    assert np.isnan(d["maturing_coupon"]["value"])
    d2 = credit.data_defaults({"OLD": old}, {}, "2009-06-30", years=1)
    assert np.isnan(d2["base_rate_now"]["value"])


def test_resolve_assumptions_data_user_and_missing():
    given = credit.parse_whatif(**WHATIF_OK)
    defaults = {"maturing_coupon": {"value": 5.0, "source": "c", "date": None},
                "new_issue_spread": {"value": 9.9, "source": "s", "date": None},
                "base_rate_now": {"value": 1.0, "source": "b", "date": None},
                "base_rate_path": {"value": (1.0, 1.0), "source": "p", "date": None}}
    a, resolved = credit.resolve_assumptions(given, defaults, "2009-06-30")
    assert a.new_issue_spread == 4.0 and resolved["new_issue_spread"]["origin"] == "user"   # the user's 4, not 9.9
    assert a.base_rate_path == (1.0, 1.0) and resolved["base_rate_now"]["origin"] == "data"
    assert resolved["floating_share"]["origin"] == "assumption"
    table = credit.assumptions_table(resolved)
    assert list(table.columns) == ["value", "from data or user", "source and date"]
    assert table.loc["base rate in each coming year (%)", "value"] == "1.00, 1.00"
    with pytest.raises(ParameterError, match=r"`base_rate_now` = 'data': there is no data for it at as_of 1950-01-31"):
        credit.resolve_assumptions(given, {**defaults, "base_rate_now": {"value": float("nan"), "source": "", "date": None}}, "1950-01-31")


def test_grid_axis_centred_and_floored():
    assert credit.grid_axis(3.0, 0.5, 2) == [2.0, 2.5, 3.0, 3.5, 4.0]
    assert credit.grid_axis(0.18, 0.5, 2) == [0.18, 0.68, 1.18]


def test_summary_takes_the_window():
    firms = frame([[10, 30, 40, 20], [40, 30, 40, 30], [20, 30, 40, 10]], credit.EP_BUCKETS, start="2009-03")
    op_size = frame([[0.1, 0, 0, 0, 0.3]] * 3, [f"ME{q}" for q in range(1, 6)], start="2009-03")
    hy = pd.Series([5.0, 7.0, 6.0, 99.0], index=pd.to_datetime(["2009-03-02", "2009-04-01", "2009-04-30", "2009-05-04"]))
    w = Window(start=pd.Period("2009-03", "M"), as_of=pd.Timestamp("2009-04-30"), as_of_month=pd.Period("2009-04", "M"),
               requested="2009-04-30", data_end=pd.Period("2009-05", "M"))
    a = credit.RefinancingAssumptions((0.5,), 4.0, 2.0, 3.0, (5.0,), 0.5, 1.0, 2.0)
    h = credit.summary(firms, hy, op_size, a, w)
    # April: 40 / 140; March 10/100 -> April is the higher of the two months in the window
    assert h["unprofitable_share"] == pytest.approx(40 / 140) and h["unprofitable_share_percentile"] == 100.0
    assert h["unprofitable_share_fiscal_year"] == 2007
    # HY on 2009-04-30 = 6 (the May value is after as_of); at or below 6: 5 and 6 of 3 days
    assert h["hy_oas"] == 6.0 and h["hy_oas_date"] == "2009-04-30" and h["hy_oas_percentile"] == pytest.approx(200 / 3)
    assert h["op_small_minus_big"] == pytest.approx(-0.2)
    assert h["whatif_interest_cost_change"] == pytest.approx(5.75 / 4 - 1)
