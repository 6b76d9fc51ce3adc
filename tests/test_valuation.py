import numpy as np
import pandas as pd
import pytest

from rotation import inference, params, portfolios, valuation

COLS = ["SMALL LoBM", "ME1 BM2", "ME1 BM3", "ME1 BM4", "SMALL HiBM",
        "BIG LoBM", "ME5 BM2", "ME5 BM3", "ME5 BM4", "BIG HiBM"]
Q15 = (1, 5)


def one_month(values):
    return pd.DataFrame([values], columns=COLS, index=pd.period_range("2020-01", periods=1, freq="M"), dtype=float)


def frame(months, fill):
    """A frame over `months` with every cell = `fill`; rows are then set per test."""
    return pd.DataFrame(fill, index=pd.period_range(*months, freq="M"), columns=COLS, dtype=float)


def test_aggregate_book_to_market_hand_computed():
    firms = one_month([10, 10, 10, 10, 10, 2, 2, 2, 2, 2])
    cap = one_month([1, 2, 3, 4, 0, 100, 100, 100, 100, 100])     # ME: 10, 20, 30, 40, 0 | 200 each
    bm = one_month([0.2, 0.4, 0.6, 0.8, 9.9, 0.1, 0.2, 0.3, 0.4, 0.5])
    small = valuation.aggregate_book_to_market(firms, cap, bm, 1).iloc[0]
    # (10*0.2 + 20*0.4 + 30*0.6 + 40*0.8 + 0*9.9) / 100 = 0.6
    assert small == pytest.approx(0.6)
    big = valuation.aggregate_book_to_market(firms, cap, bm, 5).iloc[0]
    assert big == pytest.approx(0.3)                               # equal weights: mean of 0.1..0.5
    # relative P/B = (1/0.6) / (1/0.3) = 0.5
    pb = pd.DataFrame({"ME1": [1 / small], "ME5": [1 / big]})
    assert valuation.relative_pb(pb).iloc[0] == pytest.approx(0.5)


def test_size_quintile_columns_by_name():
    assert portfolios.size_quintile_columns(COLS, 1) == COLS[:5]
    assert portfolios.size_quintile_columns(COLS, 5) == COLS[5:]
    with pytest.raises(ValueError):
        portfolios.size_quintile_columns(COLS, 3)


def test_formation_year_and_december_prices():
    idx = pd.PeriodIndex(["2008-06", "2008-07", "2009-02", "2009-06", "2009-07"], freq="M")
    assert list(valuation.formation_year(idx)) == [2007, 2008, 2008, 2008, 2009]
    # 2009-04 is held in portfolios formed June 2008, whose December BE/ME uses December 2007 prices
    assert valuation.dec_formation_price_month("2009-04") == pd.Period("2007-12", "M")
    assert valuation.dec_formation_price_month("2009-07") == pd.Period("2008-12", "M")


def test_universe_mentions_only_what_had_happened():
    assert valuation.universe("1926-07", "1950-04") == "NYSE firms only"
    assert valuation.universe("1926-07", "1970-04") == "NYSE firms only before 1963-07, then NYSE and AMEX firms"
    assert valuation.universe("1926-07", "2009-04") == "NYSE firms only before 1963-07, then NYSE and AMEX firms, with NASDAQ from 1973"
    assert valuation.universe("1963-07", "2009-04") == "NYSE and AMEX firms, with NASDAQ from 1973"
    assert valuation.universe("1990-01", "2009-04") == "NYSE, AMEX and NASDAQ firms"


def two_formation_years():
    """Two holding years, 2020-07..2021-06 and 2021-07..2021-08, quintiles ME1 and ME5."""
    months = ("2020-07", "2021-08")
    firms = frame(months, 1.0)
    cap = frame(months, 20.0)
    cap[COLS[:5]] = [1, 1, 1, 1, 6]                   # ME1 weights 1,1,1,1,6 (of 10); ME5 equal
    bm = frame(months, 9.9)                           # only the July rows may be used
    bm.loc["2020-07", COLS[:5]] = 0.5                 # ME1 P/B 2.0 at the end of June 2020
    bm.loc["2020-07", COLS[5:]] = 0.25                # ME5 P/B 4.0
    bm.loc["2021-07", COLS[:5]] = 1.0                 # ME1 P/B 1.0 at the end of June 2021 (new book)
    bm.loc["2021-07", COLS[5:]] = 0.5                 # ME5 P/B 2.0
    ret = frame(months, 0.0)
    ret.loc["2020-07", COLS[:5]] = [-0.05, -0.05, -0.05, -0.05, 0.20]   # ME1: (4 x -0.05 + 6 x 0.20) / 10 = +0.10
    ret.loc["2020-08", COLS[:5]] = -0.20                                # ME1 -20%
    ret.loc["2020-08", COLS[5:]] = -0.20                                # ME5 -20%
    ret.loc["2021-07", COLS[:5]] = 0.10
    ret.loc["2021-07", COLS[5:]] = -0.20
    return firms, cap, bm, ret


def test_price_updated_pb_rolls_forward_within_each_holding_year():
    firms, cap, bm, ret = two_formation_years()
    rq = valuation.quintile_returns(firms, cap, ret, Q15)
    assert rq.loc["2020-07", "ME1"] == pytest.approx(0.10)
    pb = valuation.price_updated_pb_by_size(firms, cap, bm, ret, Q15)
    # July 2020 row is priced at the end of June; the end-of-July value includes July's return:
    # ME1 2.0 x 1.10 = 2.2; ME5 4.0 x 1.00 = 4.0
    assert pb.loc["2020-07", "ME1"] == pytest.approx(2.2)
    assert pb.loc["2020-07", "ME5"] == pytest.approx(4.0)
    # August: ME1 2.2 x 0.8 = 1.76; ME5 4.0 x 0.8 = 3.2; relative 1.76 / 3.2 = 0.55
    assert pb.loc["2020-08", "ME1"] == pytest.approx(1.76)
    assert pb.loc["2020-08", "ME5"] == pytest.approx(3.2)
    rel = valuation.relative_pb(pb)
    assert rel.loc["2020-08"] == pytest.approx(0.55)
    # flat returns to June 2021: still the 2020 formation (1.76, 3.2), not the July 2021 row
    assert pb.loc["2021-06", "ME1"] == pytest.approx(1.76) and pb.loc["2021-06", "ME5"] == pytest.approx(3.2)
    # July 2021: the new formation, ME1 1.0 x 1.10 = 1.1; ME5 2.0 x 0.8 = 1.6; relative 0.6875
    assert pb.loc["2021-07", "ME1"] == pytest.approx(1.1)
    assert pb.loc["2021-07", "ME5"] == pytest.approx(1.6)
    assert rel.loc["2021-08"] == pytest.approx(1.1 / 1.6)
    # the December-style section (no roll-forward) would show the stale 9.9 B/M in August
    assert valuation.price_to_book_by_size(firms, cap, bm, Q15).loc["2020-08", "ME1"] == pytest.approx(1 / 9.9)


def test_a_missing_return_breaks_the_rest_of_the_holding_year_only():
    firms, cap, bm, ret = two_formation_years()
    ret.loc["2020-10", "ME1 BM2"] = np.nan
    pb = valuation.price_updated_pb_by_size(firms, cap, bm, ret.drop(pd.Period("2021-01", "M")), Q15)
    assert pb.loc["2020-09", "ME1"] == pytest.approx(1.76)
    assert pb.loc["2020-10":"2021-06", "ME1"].isna().all()
    # a month absent from the returns (2021-01) is a gap too: ME5 NaN from January to June
    assert pb.loc["2020-12", "ME5"] == pytest.approx(3.2)
    assert pb.loc["2021-01":"2021-06", "ME5"].isna().all()
    assert pb.loc["2021-07", "ME1"] == pytest.approx(1.1)


def test_roll_forward_check_hand_computed():
    months = ("2021-01", "2021-07")
    firms, cap = frame(months, 1.0), frame(months, 10.0)
    dec, jun, ret = frame(months, 1.0), frame(months, 1.0), frame(months, 0.0)
    dec.loc["2021-07", COLS[5:]] = 0.5                   # December-priced P/B: ME1 1.0, ME5 2.0
    jun.loc["2021-07", COLS[:5]] = 1.25                  # June-priced P/B: ME1 0.8, ME5 2.0
    jun.loc["2021-07", COLS[5:]] = 0.5
    ret.loc["2021-01", COLS[:5]] = 0.10                  # ME1 +10% then -20%: x 0.88
    ret.loc["2021-02", COLS[:5]] = -0.20
    out = valuation.roll_forward_check(firms, cap, dec, jun, ret, Q15)
    # ME1: log(1.0 x 0.88 / 0.8) = log(1.1); ME5: log(2.0 x 1 / 2.0) = 0; ratio: log(1.1) - 0
    assert list(out.index) == [2021]
    assert out.loc[2021, "ME1"] == pytest.approx(np.log(1.1))
    assert out.loc[2021, "ME5"] == pytest.approx(0.0)
    assert out.loc[2021, "ME1/ME5"] == pytest.approx(np.log(1.1))
    err = valuation.roll_forward_error(out)
    assert err.loc["ME1", "years"] == 1 and err.loc["ME1", "median_abs_log_diff"] == pytest.approx(np.log(1.1))


def test_aggregate_earnings_yield_names_formation_and_fiscal_year():
    cols = ["<= 0", "Lo 30", "Med 40", "Hi 30"]
    months = pd.period_range("2020-06", "2020-08", freq="M")
    firms = pd.DataFrame([[1, 1, 1, 1], [1, 2, 3, 4], [9, 9, 9, 9]], index=months, columns=cols, dtype=float)
    size = pd.DataFrame([[5, 5, 5, 5], [10, 10, 10, 10], [1, 1, 1, 1]], index=months, columns=cols, dtype=float)
    ep = pd.DataFrame([[0.01, 0.01, 0.01, 0.01], [-0.10, 0.02, 0.05, 0.10]],
                      index=pd.PeriodIndex(["2019", "2020"], freq="Y"), columns=cols)
    out = valuation.aggregate_earnings_yield(ep, firms, size)
    # July 2020 ME: 10, 20, 30, 40 -> (-1 + 0.4 + 1.5 + 4) / 100 = 0.049; the 2019 formation has
    # no July row here, so it is not shown
    assert list(out.index) == [pd.Period("2020", "Y")]
    row = out.loc[pd.Period("2020", "Y")]
    assert row["ep"] == pytest.approx(0.049)
    assert row["fiscal_year"] == 2019 and row["formed"] == pd.Period("2020-06", "M")
    assert row["weights_month"] == pd.Period("2020-07", "M")
    # as of June 2020 the June 2020 formation is not out yet (its July weights are after as_of)
    assert valuation.aggregate_earnings_yield(ep, firms, size, pd.Period("2020-06", "M")).empty


def test_position_in_history_and_troughs():
    s = pd.Series([1.0, 2.0, 3.0, 4.0, 2.0], index=pd.period_range("2000-01", periods=5, freq="M"))
    pos = valuation.position_in_history(s, pd.Period("2000-05", "M"), {"all": pd.Period("2000-01", "M"), "last 2": pd.Period("2000-04", "M")})
    assert pos.loc["all", "percentile"] == 60.0 and pos.loc["last 2", "percentile"] == 50.0
    assert pos.loc["all", "zscore"] == pytest.approx((2 - 2.4) / np.std([1, 2, 3, 4, 2], ddof=1))
    t = valuation.troughs(pd.Series([5, 1, 5, 5, 5, 5, 0.5, 5.0], index=pd.period_range("2000-01", periods=8, freq="M")), 2, 2)
    assert list(t["month"]) == ["2000-07", "2000-02"]


def test_summary_percentiles_against_each_universe():
    idx = pd.period_range("1962-01", "1975-12", freq="M")           # 168 months, 150 of them from 1963-07
    rel = pd.Series(np.where(idx < pd.Period("1963-07", "M"), 0.2, 1.0 + 0.1 * np.sin(np.arange(len(idx)) / 7)), index=idx)
    rel.iloc[-1] = 0.5                                               # as_of value
    rel_dec = pd.Series(0.9, index=idx)
    rng = np.random.default_rng(0)
    later = pd.period_range("1963-07", "1975-12", freq="M")           # the spread starts later than the window (like SMB)
    one_period = pd.Series(rng.normal(0.0, 0.03, len(later)), index=later)
    shiller = pd.DataFrame({"CAPE": 20.0, "P": 100.0, "E": 5.0}, index=idx)
    shiller.loc["1975-12", "E"] = np.nan                             # earnings not out yet: last P/E is November's
    window = params.Window(start=pd.Period("1962-01", "M"), as_of=pd.Timestamp("1975-12-31"),
                           as_of_month=pd.Period("1975-12", "M"), requested="1975-12-31", data_end=pd.Period("1975-12", "M"))
    head = valuation.summary(rel, rel_dec, one_period, shiller, window, 1, draws=19)
    assert head["relative_pb_small_big"] == 0.5
    # full sample: 18 months at 0.2 and the as_of month at or below 0.5 -> 19 / 168
    assert head["relative_pb_percentile"] == pytest.approx(19 / 168 * 100)
    # since 1963-07: only the as_of month -> 1 / 150
    assert head["relative_pb_percentile_since_1963"] == pytest.approx(1 / 150 * 100)
    assert head["relative_pb_small_big_dec_formation"] == 0.9 and head["relative_pb_dec_formation_percentile"] == 100.0
    assert head["dec_formation_prices"] == "1974-12"
    assert head["small_cap_pb_discount"] == pytest.approx(0.5)
    assert head["sp500_trailing_pe"] == 20.0 and head["sp500_trailing_pe_month"] == "1975-11"
    # the regression starts at the later of start (1962-01) and the spread's first month (1963-07); 1-year windows
    # complete by 1975-12: months 1963-07 .. 1974-12 = 138, 11 non-overlapping (138 // 12)
    assert head["fwd_smb_first"] == "1963-07"
    assert head["fwd_smb_nobs"] == 138 and head["fwd_smb_windows"] == 11


def test_forward_pe_discount_matches_article_arithmetic():
    assert valuation.forward_pe_discount(22, 15) == pytest.approx(7 / 22)


# ----------------------------------------------------------------- cheapness regression and its grid

def monthly(values, first):
    return pd.Series(values, index=pd.period_range(first, periods=len(values), freq="M"), dtype=float)


def window_of(start, as_of_month):
    m = pd.Period(as_of_month, "M")
    return params.Window(start=pd.Period(start, "M"), as_of=m.to_timestamp(how="end").normalize(), as_of_month=m,
                         requested=str(m.to_timestamp(how="end").date()), data_end=m)


def test_forward_spread_is_the_annualised_sum_of_the_next_months():
    d = monthly([0.01, 0.02, 0.03, 0.04], "2000-01")
    fwd = valuation.forward_spread(d, 2)
    # 2000-01: 12/2 x (0.02 + 0.03) = 0.30; 2000-02: 6 x (0.03 + 0.04) = 0.42; later windows incomplete
    assert fwd.iloc[0] == pytest.approx(0.30) and fwd.iloc[1] == pytest.approx(0.42)
    assert fwd.iloc[2:].isna().all()


def test_cheapness_pairs_use_only_the_sample_and_windows_complete_by_as_of():
    d = monthly([0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08], "2000-01")   # 2000-01 .. 2000-08
    rel = monthly([0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2], "2000-01")
    pairs = valuation.cheapness_pairs(rel, d, 1, window_of("2000-03", "2000-06"))
    # sample 2000-03..2000-06; 2000-06's window is 2000-07, after as_of: months 2000-03..2000-05
    assert [str(p) for p in pairs.index] == ["2000-03", "2000-04", "2000-05"]
    assert list(pairs["relative_pb"]) == [0.7, 0.8, 0.9]
    assert pairs["fwd"].to_numpy() == pytest.approx([12 * 0.04, 12 * 0.05, 12 * 0.06])   # 12 x next month's spread
    # the fitted intercept goes through the means: mean fwd 0.60, mean rel 0.8 -> 0.60 - 0.6 x 0.8 = 0.12
    assert valuation.fitted_intercept(pairs, 0.6) == pytest.approx(0.12)


def test_cheapness_regression_slope_matches_a_direct_fit_on_the_sample():
    rng = np.random.default_rng(1)
    x = np.empty(200)
    x[0] = 1.0
    for t in range(1, 200):
        x[t] = 0.2 + 0.8 * x[t - 1] + rng.normal(0, 0.05)
    rel = monthly(x, "1990-01")                                      # 1990-01 .. 2006-08
    d = monthly(-0.01 * np.r_[np.nan, x[:-1]] + rng.normal(0, 0.0005, 200), "1990-01").iloc[20:]   # from 1991-09
    window = window_of("1990-06", "2005-12")
    fit = valuation.cheapness_regression(rel, d, 1, window, draws=19)
    pairs = valuation.cheapness_pairs(rel, d, 1, window)
    # later of start (1990-06) and the spread's first month (1991-09); one-month windows complete by 2005-12
    assert str(pairs.index.min()) == "1991-09" and str(pairs.index.max()) == "2005-11"
    assert fit.n_obs == len(pairs) == 171
    slope, _ = np.polyfit(pairs["relative_pb"], pairs["fwd"], 1)
    assert fit.estimate == pytest.approx(slope)
    # the planted relation: next month's spread -0.01 per unit, annualised x 12: about -0.12
    assert fit.estimate == pytest.approx(-0.12, abs=0.02)
    again = valuation.cheapness_regression(rel, d, 1, window, draws=19)
    assert again.p_bootstrap == fit.p_bootstrap                     # seeded
    figs = valuation.regression_figures(fit, pairs.index.min())
    assert figs["fwd_smb_windows"] == 171 and figs["fwd_smb_first"] == "1991-09"
    assert figs["fwd_smb_stance"] == ("supports" if fit.p_bootstrap < 0.05 else "inconclusive")


def test_normal_p_two_sided():
    assert inference.normal_two_sided_p(0.0) == pytest.approx(1.0)
    assert inference.normal_two_sided_p(1.959964) == pytest.approx(0.05, abs=1e-6)
    assert inference.normal_two_sided_p(-1.959964) == pytest.approx(0.05, abs=1e-6)
    assert np.isnan(inference.normal_two_sided_p(float("nan")))


def test_grid_starts_moved_to_the_first_month_deduplicated_and_cut_at_as_of():
    p = lambda s: pd.Period(s, "M")
    # SMB-like spread from 1963-07: start 1926-07 becomes 1963-07, the same as the fixed 1963-07 start
    assert valuation.grid_starts(window_of("1926-07", "2000-01"), [p("1963-07"), p("1926-07")]) == [p("1963-07"), p("1990-01")]
    assert valuation.grid_starts(window_of("1926-07", "1980-01"), [p("1926-07")]) == [p("1926-07"), p("1963-07")]
    assert valuation.grid_starts(window_of("1995-01", "2020-12"), [p("1926-07")]) == [p("1963-07"), p("1990-01"), p("1995-01")]


def planted(first, n, seed):
    """A persistent predictor (AR(1), rho 0.98) and a spread whose next month falls 0.05 per unit of it."""
    rng = np.random.default_rng(seed)
    x = np.empty(n)
    x[0] = 1.0
    for t in range(1, n):
        x[t] = 0.02 + 0.98 * x[t - 1] + rng.normal(0, 0.03)
    d = -0.05 * np.r_[0.0, x[:-1] - 1.0] + rng.normal(0, 0.0005, n)
    return monthly(x, first), monthly(d, first)


def test_cheapness_grid_specifications_skips_and_stance():
    rel, d = planted("1960-01", 600, 2)                             # 1960-01 .. 2009-12
    spreads = {("A", "VW"): d.loc["1990-01":], ("B", "EW"): d}
    grid = valuation.cheapness_grid(spreads, rel, window_of("1960-01", "2009-12"), draws=99)   # p can reach 2/100 < 0.05
    # A (from 1990-01): every start becomes 1990-01; 240 months hold 204 complete 36-month windows (>= 5 x 36 = 180,
    # kept) but only 180 complete 60-month ones (< 5 x 60 = 300, skipped). B: starts 1960-01, 1963-07, 1990-01.
    got = sorted(zip(grid["spread"], grid["sample_start"], grid["horizon_months"]))
    assert got == [("A", "1990-01", 36), ("B", "1960-01", 36), ("B", "1960-01", 60), ("B", "1963-07", 36),
                   ("B", "1963-07", 60), ("B", "1990-01", 36)]
    assert (grid["claim"] == "valuation").all()
    # a strong planted negative slope: every estimate has the article's sign (direction -1), none contradicts it,
    # and the longest sample at the shorter horizon (50 years, 36 months) supports it
    assert (grid["estimate"] < 0).all() and (grid["stance"] != "contradicts").all()
    longest = grid[(grid["spread"] == "B") & (grid["sample_start"] == "1960-01") & (grid["horizon_months"] == 36)]
    assert longest["stance"].tolist() == ["supports"]
    # the boundary of the 5-window rule: at 2007-12 a 1990-01 start has 216 - 36 = 180 = 5 x 36 complete windows (kept),
    # at 2007-11 only 179 (skipped)
    at = lambda m: valuation.cheapness_grid({("A", "VW"): spreads[("A", "VW")]}, rel, window_of("1960-01", m), horizons=(36,), draws=19)
    assert len(at("2007-12")) == 1 and at("2007-12")["n_obs"].tolist() == [180]
    assert at("2007-11").empty


def test_cheapness_grid_draws_a_different_seed_for_each_specification():
    rel, d = planted("1960-01", 400, 3)
    window = window_of("1960-01", "1993-04")
    grid = valuation.cheapness_grid({("A", "VW"): d, ("B", "EW"): d}, rel, window, horizons=(36,), draws=19)
    # the same data under two names: same slope, but B's bootstrap is drawn from its own seeds (SEED + 100 + 1, ...)
    a, b = grid[grid["spread"] == "A"], grid[grid["spread"] == "B"]
    assert a["estimate"].tolist() == pytest.approx(b["estimate"].tolist())
    dd = d[(d.index >= pd.Period("1960-01", "M"))]
    for rows, seed in [(a, valuation.SEED + 1), (b, valuation.SEED + valuation.SEED_STRIDE + 1)]:
        first = rows[rows["sample_start"] == "1960-01"]
        fit = inference.predictive_regression(dd, rel, 36, draws=19, seed=seed)
        assert first["p_bootstrap"].tolist() == [fit.p_bootstrap]


def test_grid_summary_and_table_hand_made():
    grid = pd.DataFrame({"spread": ["SMB", "SMB", "Lo 20-Hi 20", "Lo 20-Hi 20"], "weighting": ["VW", "VW", "EW", "VW"],
                         "sample_start": ["1963-07", "1963-07", "1990-01", "1990-01"], "horizon_months": [36, 60, 36, 60],
                         "estimate": [-0.1, -0.2, -0.05, 0.3], "p_bootstrap": [0.01, 0.0, 0.4, 0.02],
                         "oos_r2": [0.1, -0.1, -0.2, 0.05], "stance": ["supports", "supports", "inconclusive", "contradicts"]})
    t = valuation.grid_summary(grid)
    assert t.loc["all specifications", ["supports", "contradicts", "inconclusive", "oos_r2_positive"]].tolist() == [0.5, 0.25, 0.25, 0.5]
    # supports in sample AND beats the historical mean out of sample: only the first row (the second supports, oos -0.1)
    assert t.loc["all specifications", "supports_and_oos_positive"] == 0.25
    assert t.loc["all specifications", "specs"] == 4
    assert t.loc["horizon 36 months", ["supports", "inconclusive"]].tolist() == [0.5, 0.5]
    assert t.loc["start 1990-01", ["contradicts", "inconclusive", "supports"]].tolist() == [0.5, 0.5, 0.0]
    assert t.loc["EW", "inconclusive"] == 1.0 and t.loc["VW", "specs"] == 3
    table = valuation.grid_table(grid)
    assert table.loc[("SMB", "VW"), "1963-07, 36m"] == "-10.0 [0.01] S"
    assert table.loc[("Lo 20-Hi 20", "VW"), "1990-01, 60m"] == "+30.0 [0.02] C"
    assert table.loc[("Lo 20-Hi 20", "EW"), "1990-01, 36m"] == "-5.0 [0.40] -"
    assert table.loc[("Lo 20-Hi 20", "EW"), "1963-07, 36m"] == ""
