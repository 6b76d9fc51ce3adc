import numpy as np
import pandas as pd
import pytest

from rotation import params, portfolios, valuation

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
    rel = pd.Series(np.where(idx < pd.Period("1963-07", "M"), 0.2, 1.0), index=idx)
    rel.iloc[-1] = 0.5                                               # as_of value
    rel_dec = pd.Series(0.9, index=idx)
    rng = np.random.default_rng(0)
    returns = pd.DataFrame({"Lo 20": rng.normal(0.01, 0.05, len(idx)), "Hi 20": rng.normal(0.01, 0.04, len(idx))}, index=idx)
    shiller = pd.DataFrame({"CAPE": 20.0, "P": 100.0, "E": 5.0}, index=idx)
    shiller.loc["1975-12", "E"] = np.nan                             # earnings not out yet: last P/E is November's
    window = params.Window(start=pd.Period("1962-01", "M"), as_of=pd.Timestamp("1975-12-31"),
                           as_of_month=pd.Period("1975-12", "M"), requested="1975-12-31", data_end=pd.Period("1975-12", "M"))
    head = valuation.summary(rel, rel_dec, returns, shiller, window, 1)
    assert head["relative_pb_small_big"] == 0.5
    # full sample: 18 months at 0.2 and the as_of month at or below 0.5 -> 19 / 168
    assert head["relative_pb_percentile"] == pytest.approx(19 / 168 * 100)
    # since 1963-07: only the as_of month -> 1 / 150
    assert head["relative_pb_percentile_since_1963"] == pytest.approx(1 / 150 * 100)
    assert head["relative_pb_small_big_dec_formation"] == 0.9 and head["relative_pb_dec_formation_percentile"] == 100.0
    assert head["dec_formation_prices"] == "1974-12"
    assert head["small_cap_pb_discount"] == pytest.approx(0.5)
    assert head["sp500_trailing_pe"] == 20.0 and head["sp500_trailing_pe_month"] == "1975-11"
    # 1-year forward windows complete by 1975-12: months 1962-01 .. 1974-12 = 156, 13 non-overlapping
    assert head["fwd_smb_nobs"] == 156 and head["fwd_smb_windows"] == 13


def test_forward_pe_discount_matches_article_arithmetic():
    assert valuation.forward_pe_discount(22, 15) == pytest.approx(7 / 22)
