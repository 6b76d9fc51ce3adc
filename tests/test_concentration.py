import numpy as np
import pandas as pd
import pytest

from rotation import concentration as C


def frame(rows, columns, start="2000-01"):
    return pd.DataFrame(rows, columns=columns, index=pd.period_range(start, periods=len(rows), freq="M"), dtype=float)


def test_top_decile_share_hand_computed():
    # deciles: 10 firms each of size 1, except Hi 10: 5 firms of size 20 -> caps 10 x 9 + 100
    firms = frame([[10] * 9 + [5]], C.DECILES)
    size = frame([[1] * 9 + [20]], C.DECILES)
    share = C.top_decile_share(firms, size)
    assert share.iloc[0] == pytest.approx(100 / 190)
    # missing decile -> NaN, not a share of a partial market
    size.iloc[0, 3] = np.nan
    assert np.isnan(C.top_decile_share(firms, size).iloc[0])


def test_top_quintile_share_hand_computed():
    firms = frame([[100, 50, 40, 30, 10]], C.QUINTILES)
    size = frame([[1, 2, 3, 4, 50]], C.QUINTILES)
    # caps 100, 100, 120, 120, 500 -> 500 / 940
    assert C.top_quintile_share(firms, size).iloc[0] == pytest.approx(500 / 940)


def test_small_minus_large_forward_hand_computed():
    r = frame([[0.0, 0.0], [0.10, 0.05], [0.10, -0.05], [0.0, 0.0]], ["Lo 30", "Hi 10"])
    out = C.small_minus_large_forward(r, "Lo 30", "Hi 10", 2)
    small = (1.1 * 1.1) ** 6 - 1
    large = (1.05 * 0.95) ** 6 - 1
    assert out.iloc[0] == pytest.approx(small - large)


def test_high_flags_use_no_future_data():
    rng = np.random.default_rng(0)
    share = pd.Series(rng.uniform(0.5, 0.7, 200), index=pd.period_range("1990-01", periods=200, freq="M"))
    flags = C.high_flags(share, 80, min_history=24)
    assert flags.iloc[:23].isna().all() and flags.iloc[23:].notna().all()  # classed from 24 months of history
    # changing the future never changes past classifications
    changed = share.copy()
    changed.iloc[150:] = 0.99
    assert C.high_flags(changed, 80, min_history=24).iloc[:150].equals(flags.iloc[:150])
    # month t is high iff its value beats 80% of values up to and including t
    t = 100
    assert flags.iloc[t] == float((share.iloc[: t + 1] <= share.iloc[t]).mean() * 100 > 80)


def test_conditional_forward_ignores_returns_after_as_of():
    idx = pd.period_range("2000-01", periods=200, freq="M")
    share = pd.Series(np.linspace(0.5, 0.8, 200), index=idx)  # rising: always at its own maximum
    r = pd.DataFrame({"Lo 30": 0.01, "Hi 10": 0.0}, index=idx)
    as_of = idx[160]
    base = C.conditional_forward(share, r, "Lo 30", "Hi 10", [1], 80, as_of)
    r2 = r.copy()
    r2.loc[r2.index > as_of, "Lo 30"] = 0.5  # a huge future after as_of must not matter
    assert C.conditional_forward(share, r2, "Lo 30", "Hi 10", [1], 80, as_of).equals(base)
    # windows end by as_of: months 0..148 have complete 12-month windows ending by month 160;
    # months 119.. (120 months of history) are high; earlier ones are not classed at all
    row = base.iloc[0]
    assert row["n_high_months"] == 148 - 119 + 1 and row["n_other_months"] == 0
    assert row["mean_after_high"] == pytest.approx(1.01 ** 12 - 1)


def test_clusters_counts_distinct_episodes():
    idx = pd.period_range("2000-01", periods=40, freq="M")
    flags = pd.Series(False, index=idx)
    flags.iloc[[1, 2, 3, 10, 30, 31]] = True  # 1-3 and 10 merge (gap 7 < 12); 30-31 separate
    assert len(C.clusters(flags, 12)) == 2


def test_relative_total_return_common_dates_no_fill():
    a = pd.Series([10.0, 11.0, 12.0], index=pd.to_datetime(["2024-01-02", "2024-01-03", "2024-01-04"]), name="A")
    b = pd.Series([20.0, 20.0], index=pd.to_datetime(["2024-01-02", "2024-01-03"]), name="B")
    out = C.relative_total_return(a, b, "2024-01-01", "2024-12-31")
    assert list(out) == [1.0, 1.1] and out.index.max() == pd.Timestamp("2024-01-03")
    assert C.relative_total_return(a, b, "2025-01-01", "2025-12-31").empty


def test_paths_after_hand_computed():
    r = frame([[0.0, 0.0], [0.10, 0.0], [0.10, 0.10]], ["Lo 30", "Hi 10"])
    p = C.paths_after(r, "Lo 30", "Hi 10", {"e": pd.Period("2000-01", "M")}, 2, pd.Period("2000-03", "M"))
    assert list(p["e"].round(10)) == [0.0, 0.1, round(1.21 - 1.1, 10)]
