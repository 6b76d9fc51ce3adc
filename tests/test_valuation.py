import numpy as np
import pandas as pd
import pytest

from rotation import portfolios, valuation as V

COLS = ["SMALL LoBM", "ME1 BM2", "ME1 BM3", "ME1 BM4", "SMALL HiBM",
        "BIG LoBM", "ME5 BM2", "ME5 BM3", "ME5 BM4", "BIG HiBM"]


def one_month(values):
    return pd.DataFrame([values], columns=COLS, index=pd.period_range("2020-01", periods=1, freq="M"), dtype=float)


def test_aggregate_book_to_market_hand_computed():
    firms = one_month([10, 10, 10, 10, 10, 2, 2, 2, 2, 2])
    cap = one_month([1, 2, 3, 4, 0, 100, 100, 100, 100, 100])     # ME: 10, 20, 30, 40, 0 | 200 each
    bm = one_month([0.2, 0.4, 0.6, 0.8, 9.9, 0.1, 0.2, 0.3, 0.4, 0.5])
    small = V.aggregate_book_to_market(firms, cap, bm, 1).iloc[0]
    # (10*0.2 + 20*0.4 + 30*0.6 + 40*0.8 + 0*9.9) / 100 = 0.6
    assert small == pytest.approx(0.6)
    big = V.aggregate_book_to_market(firms, cap, bm, 5).iloc[0]
    assert big == pytest.approx(0.3)                               # equal weights: mean of 0.1..0.5
    # relative P/B = (1/0.6) / (1/0.3) = 0.5
    pb = pd.DataFrame({"ME1": [1 / small], "ME5": [1 / big]})
    assert V.relative_pb(pb).iloc[0] == pytest.approx(0.5)


def test_size_quintile_columns_by_name():
    assert portfolios.size_quintile_columns(COLS, 1) == COLS[:5]
    assert portfolios.size_quintile_columns(COLS, 5) == COLS[5:]
    with pytest.raises(ValueError):
        portfolios.size_quintile_columns(COLS, 3)


def test_aggregate_earnings_yield_hand_computed():
    cols = ["<= 0", "Lo 30", "Med 40", "Hi 30"]
    months = pd.period_range("2020-06", "2020-08", freq="M")
    firms = pd.DataFrame([[1, 1, 1, 1], [1, 2, 3, 4], [9, 9, 9, 9]], index=months, columns=cols, dtype=float)
    size = pd.DataFrame([[5, 5, 5, 5], [10, 10, 10, 10], [1, 1, 1, 1]], index=months, columns=cols, dtype=float)
    ep = pd.DataFrame([[-0.10, 0.02, 0.05, 0.10]], index=pd.PeriodIndex(["2020"], freq="Y"), columns=cols)
    out = V.aggregate_earnings_yield(ep, firms, size)
    # July ME: 10, 20, 30, 40 -> (-1 + 0.4 + 1.5 + 4) / 100 = 0.049
    assert out.loc[pd.Period("2020", "Y")] == pytest.approx(0.049)


def test_position_in_history_and_troughs():
    s = pd.Series([1.0, 2.0, 3.0, 4.0, 2.0], index=pd.period_range("2000-01", periods=5, freq="M"))
    pos = V.position_in_history(s, pd.Period("2000-05", "M"), {"all": pd.Period("2000-01", "M"), "last 2": pd.Period("2000-04", "M")})
    assert pos.loc["all", "percentile"] == 60.0 and pos.loc["last 2", "percentile"] == 50.0
    assert pos.loc["all", "zscore"] == pytest.approx((2 - 2.4) / np.std([1, 2, 3, 4, 2], ddof=1))
    t = V.troughs(pd.Series([5, 1, 5, 5, 5, 5, 0.5, 5.0], index=pd.period_range("2000-01", periods=8, freq="M")), 2, 2)
    assert list(t["month"]) == ["2000-07", "2000-02"]


def test_forward_pe_discount_matches_article_arithmetic():
    assert V.forward_pe_discount(22, 15) == pytest.approx(7 / 22)
