import numpy as np
import pandas as pd
import pytest

from rotation import credit as Cr


def frame(rows, cols, start="2020-01"):
    return pd.DataFrame(rows, columns=cols, index=pd.period_range(start, periods=len(rows), freq="M"), dtype=float)


def test_unprofitable_share_and_sizes_hand_computed():
    firms = frame([[40, 30, 40, 30]], Cr.EP_BUCKETS)
    size = frame([[10, 100, 200, 300]], Cr.EP_BUCKETS)
    assert Cr.unprofitable_share(firms).iloc[0] == pytest.approx(40 / 140)
    s = Cr.average_size_loss_vs_profit(firms, size).iloc[0]
    # profitable: (30*100 + 40*200 + 30*300) / 100 = 200
    assert s["loss_making"] == 10 and s["profitable"] == pytest.approx(200) and s["ratio"] == pytest.approx(0.05)


def test_refinancing_whatif_by_hand():
    a = Cr.RefinancingAssumptions(maturing_by_year=(0.5,), maturing_coupon=4.0, new_issue_spread=2.0, base_rate_now=3.0,
                                  base_rate_path=(5.0,), floating_share=0.5, floating_spread=1.0, interest_coverage=2.0)
    out = Cr.refinancing_whatif(a)
    # today: fixed 50 x 4% = 2, floating 50 x (3+1)% = 2 -> 4; EBIT = 2 x 4 = 8
    assert out.loc[0, "interest"] == pytest.approx(4.0)
    # year 1: unmatured fixed 25 x 4% = 1, refinanced 25 x (5+2)% = 1.75, floating 50 x 6% = 3 -> 5.75
    assert out.loc[1, "interest"] == pytest.approx(5.75)
    assert out.loc[1, "change_pct"] == pytest.approx(5.75 / 4 - 1)
    assert out.loc[1, "coverage"] == pytest.approx(8 / 5.75)


def test_whatif_multi_year_keeps_coupon_of_each_vintage():
    a = Cr.RefinancingAssumptions(maturing_by_year=(0.5, 0.5), maturing_coupon=4.0, new_issue_spread=0.0, base_rate_now=0.0,
                                  base_rate_path=(6.0, 2.0), floating_share=0.0, floating_spread=0.0, interest_coverage=1.0)
    out = Cr.refinancing_whatif(a)
    # year 2: first half refinanced at 6% in year 1 keeps 6%; second half at 2% -> 50*6% + 50*2% = 4
    assert out.loc[1, "interest"] == pytest.approx(50 * 0.04 + 50 * 0.06)
    assert out.loc[2, "interest"] == pytest.approx(4.0)


def test_whatif_rejects_inconsistent_assumptions():
    with pytest.raises(ValueError, match="one value per year"):
        Cr.RefinancingAssumptions((0.1, 0.2), 5, 3, 3, (3.0,), 0.3, 3, 3)
    with pytest.raises(ValueError, match="more than all"):
        Cr.RefinancingAssumptions((0.7, 0.7), 5, 3, 3, (3.0, 3.0), 0.3, 3, 3)
    with pytest.raises(ValueError, match="`base_rate_path`"):
        Cr.parse_rates("base_rate_path", "3.5;3.0")


def test_whatif_grid_matches_single_runs():
    a = Cr.RefinancingAssumptions((0.5,), 4.0, 2.0, 3.0, (5.0,), 0.5, 1.0, 2.0)
    g = Cr.whatif_grid(a, [5.0, 1.0], [2.0])
    assert g.loc[5.0, 2.0] == pytest.approx(5.75 / 4 - 1)
    # base 1%: 1 + 25 x 3% + 50 x 2% = 2.75
    assert g.loc[1.0, 2.0] == pytest.approx(2.75 / 4 - 1)


def test_prime_rate_splice_hand_made():
    d = pd.to_datetime(["2022-12-13", "2022-12-14", "2022-12-15", "2022-12-16", "2022-12-19"])
    dprime = pd.Series([7.0, 7.0, 7.5], index=d[:3])
    upper = pd.Series([4.0, 4.0, 4.5, 4.5, 4.5], index=d)
    prime, start, check = Cr.prime_rate(dprime, upper)
    assert list(prime) == [7.0, 7.0, 7.5, 7.5, 7.5] and start == pd.Timestamp("2022-12-16")
    assert check == {"overlap_days": 3, "share_matching": 1.0, "max_abs_diff": 0.0}


def test_baa_minus_10y_newer_wins():
    baa = pd.Series([6.0, 6.0], index=pd.to_datetime(["2016-03-01", "2016-04-01"]))
    dgs10 = pd.Series([2.0, 2.0, 1.0], index=pd.to_datetime(["2016-03-10", "2016-04-10", "2016-04-20"]))
    baa10y = pd.Series([3.0, 3.2], index=pd.to_datetime(["2016-04-27", "2016-04-28"]))
    out = Cr.baa_minus_10y(baa, dgs10, baa10y)
    assert out.loc["2016-03", "spread"] == pytest.approx(4.0) and out.loc["2016-03", "source"] == "Baa - DGS10"
    assert out.loc["2016-04", "spread"] == pytest.approx(3.1) and out.loc["2016-04", "source"] == "BAA10Y"


def test_level_vs_year_uses_no_data_after_as_of():
    s = pd.Series([1.0, 2.0, 3.0], index=pd.PeriodIndex(["2021-01", "2021-12", "2022-06"], freq="M"))
    out = Cr.level_vs_year({"x": s}, 2021, pd.Period("2022-06", "M"))
    assert out.loc["x", "mean_2021"] == 1.5 and out.loc["x", "difference"] == 1.5
    early = Cr.level_vs_year({"x": s}, 2021, pd.Period("2021-06", "M"))
    assert np.isnan(early.loc["x", "mean_2021"]) and early.loc["x", "as_of_value"] == 1.0
