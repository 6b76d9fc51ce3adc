"""rotation.spreads on small hand-made frames with answers worked by hand."""
import numpy as np
import pandas as pd
import pytest

from rotation import data, spreads


def months(start, n):
    return pd.period_range(start, periods=n, freq="M", name="period")


def me_table(rows, start="2024-01"):
    cols = ["Lo 30", "Hi 30", "Lo 20", "Qnt 2", "Hi 20", "Lo 10", "Hi 10"]
    return pd.DataFrame(rows, columns=cols, index=months(start, len(rows)))


def test_candidate_spreads_by_hand():
    vw = me_table([[0.05, 0.01, 0.06, 0.04, 0.02, 0.08, 0.00],
                   [-0.02, 0.01, -0.03, -0.01, 0.02, -0.05, 0.03]])
    ew = me_table([[0.07, 0.02, 0.09, 0.05, 0.01, 0.12, 0.01],
                   [0.00, 0.00, 0.01, 0.00, 0.00, 0.02, -0.01]])
    factors = pd.DataFrame({"Mkt-RF": [0.0, 0.0], "SMB": [0.004, -0.007]}, index=months("2024-02", 2))
    c = spreads.candidate_spreads(vw, ew, factors)
    assert c.columns.names == ["spread", "weighting"]
    assert len(c.columns) == 11 and c.columns[-1] == ("SMB", "VW")
    assert list(c.index.astype(str)) == ["2024-01", "2024-02", "2024-03"]   # union of the months
    jan, feb = pd.Period("2024-01", "M"), pd.Period("2024-02", "M")
    assert c.loc[jan, ("Lo 30-Hi 30", "VW")] == pytest.approx(0.04)        # 0.05 - 0.01
    assert c.loc[feb, ("Lo 20-Hi 20", "VW")] == pytest.approx(-0.05)       # -0.03 - 0.02
    assert c.loc[jan, ("Qnt 2-Hi 20", "EW")] == pytest.approx(0.04)        # 0.05 - 0.01
    assert c.loc[feb, ("Lo 10-Hi 10", "EW")] == pytest.approx(0.03)        # 0.02 - (-0.01)
    assert c.loc[jan, ("Lo 30-Hi 10", "VW")] == pytest.approx(0.05)        # 0.05 - 0.00
    assert np.isnan(c.loc[jan, ("SMB", "VW")])                             # SMB does not cover January
    assert c.loc[feb, ("SMB", "VW")] == pytest.approx(0.004)
    assert c[("Lo 30-Hi 30", "VW")].isna().sum() == 1                      # March: no ME row, not filled


def test_candidate_picks_one_series_and_names_it():
    c = spreads.candidate_spreads(me_table([[0.05, 0.01, 0, 0, 0, 0, 0]]), me_table([[0.0] * 7]),
                                  pd.DataFrame({"SMB": [0.01, 0.02]}, index=months("2023-12", 2)))
    s = spreads.candidate(c, "Lo 30-Hi 30", "VW")
    assert s.name == "Lo 30-Hi 30, VW" and list(s) == pytest.approx([0.04])  # the NaN month is dropped
    assert list(spreads.candidate(c, "SMB", "VW")) == [0.01, 0.02]
    with pytest.raises(KeyError, match="SMB, EW"):
        spreads.candidate(c, "SMB", "EW")


def daily(pairs):
    return pd.Series([v for _, v in pairs], index=pd.to_datetime([d for d, _ in pairs]))


IWM = [("2024-01-16", 90.0), ("2024-01-31", 100.0),    # starts mid-January: January is partial
       ("2024-02-29", 110.0),                          # +10%
       ("2024-03-27", 115.0), ("2024-03-28", 121.0),
       ("2024-04-30", 110.0),
       ("2024-05-31", 121.0),                          # +10%
       ("2024-06-14", 130.0)]                          # data stop mid-June: June is partial
SPY = [("2024-01-02", 48.0), ("2024-01-31", 50.0),
       ("2024-02-29", 55.0),                           # +10%
       ("2024-03-27", 60.0),                           # no close on 2024-03-28, the month's last trading day
       ("2024-04-30", 66.0),
       ("2024-05-31", 69.3),                           # +5%
       ("2024-06-14", 70.0)]


def test_etf_spread_month_end_logic():
    out = spreads.etf_spread_monthly(daily(IWM), daily(SPY))
    # February: 10% - 10% = 0. March: SPY has no month-end close -> no March return, and no April
    # return either (it would need March's close). May: 10% - 5% = 5%. June: partial, left out.
    assert list(out.index.astype(str)) == ["2024-02", "2024-05"]
    assert out.iloc[0] == pytest.approx(0.0) and out.iloc[1] == pytest.approx(0.05)
    assert out.name == "IWM-SPY" and out.index.freqstr == "M"


def test_etf_spread_last_month_counts_when_it_ends_on_its_last_weekday():
    iwm = daily(IWM[:-1] + [("2024-06-28", 133.1)])    # Friday 2024-06-28 is June's last weekday: +10%
    spy = daily(SPY[:-1] + [("2024-06-28", 76.23)])    # +10%
    out = spreads.etf_spread_monthly(iwm, spy)
    assert list(out.index.astype(str)) == ["2024-02", "2024-05", "2024-06"]
    assert out.iloc[-1] == pytest.approx(0.0)
    # and a final month stopping earlier than that is not a month-end close
    out = spreads.etf_spread_monthly(daily(IWM[:-1] + [("2024-06-27", 133.1)]), daily(SPY[:-1] + [("2024-06-27", 76.23)]))
    assert list(out.index.astype(str)) == ["2024-02", "2024-05"]


def test_tracking_table_by_hand():
    idx = months("2024-01", 5)
    bench = pd.Series([0.02, 0.04, 0.06, 0.08, np.nan], index=idx)        # four months
    cands = pd.DataFrame({("A", "VW"): [0.01, 0.02, 0.03, 0.04, 0.05],       # bench = 2 x A
                          ("C", "EW"): [0.01, -0.01, 0.01, -0.01, 0.00],
                          ("D", "VW"): [np.nan, np.nan, 0.01, 0.02, 0.03]},  # two common months only
                         index=idx)
    cands.columns = pd.MultiIndex.from_tuples(cands.columns, names=["spread", "weighting"])
    t = spreads.tracking_table(cands, bench)
    assert list(t.index) == [("A", "VW"), ("C", "EW"), ("D", "VW")]          # by correlation, NaN last
    a = t.loc[("A", "VW")]
    assert a["months"] == 4 and str(a["first"]) == "2024-01" and str(a["last"]) == "2024-04"
    assert a["correlation"] == pytest.approx(1.0)
    assert a["beta"] == pytest.approx(2.0)
    # A - bench = -[1, 2, 3, 4]%: variance (ddof 1) 5/3 (%)^2, so TE = sqrt(5/3 x 12)% = sqrt(20)%
    assert a["tracking_error"] == pytest.approx(np.sqrt(20) / 100)
    c = t.loc[("C", "EW")]
    # deviations: C (1,-1,1,-1)%, bench (-3,-1,1,3)%: cov = -4/3, var C = 4/3, var bench = 20/3 (%^2)
    assert c["correlation"] == pytest.approx(-4 / np.sqrt(80))
    cc, bb = np.array([0.01, -0.01, 0.01, -0.01]), np.array([0.02, 0.04, 0.06, 0.08])
    assert c["correlation"] == pytest.approx(np.corrcoef(cc, bb)[0, 1])      # numpy, independently
    assert c["beta"] == pytest.approx(-1.0)
    assert c["tracking_error"] == pytest.approx(np.std(cc - bb, ddof=1) * np.sqrt(12))
    d = t.loc[("D", "VW")]
    assert d["months"] == 2 and np.isnan(d["correlation"]) and np.isnan(d["tracking_error"])


def test_tracking_table_without_benchmark_months():
    cands = pd.DataFrame({("A", "VW"): [0.01, 0.02]}, index=months("2024-01", 2))
    cands.columns = pd.MultiIndex.from_tuples(cands.columns, names=["spread", "weighting"])
    t = spreads.tracking_table(cands, pd.Series([], dtype=float, index=months("2024-01", 0)))
    assert t.loc[("A", "VW"), "months"] == 0 and np.isnan(t.loc[("A", "VW"), "correlation"])
    assert spreads.best_tracking(t) is None


def test_best_tracking_breaks_near_ties_by_tracking_error():
    t = pd.DataFrame({"correlation": [0.970, 0.962, 0.900], "tracking_error": [0.04, 0.03, 0.01]},
                     index=["top", "near", "far"])
    assert spreads.best_tracking(t) == "near"       # within 0.01 of the top, lower TE
    t.loc["near", "correlation"] = 0.955             # 0.015 below: not a tie
    assert spreads.best_tracking(t) == "top"


def test_headline_spread_is_the_headline_column():
    vw = me_table([[0.05, 0.01, 0.06, 0.04, 0.02, 0.08, 0.00]])
    ew = me_table([[0.07, 0.02, 0.09, 0.05, 0.01, 0.12, 0.01]])
    factors = pd.DataFrame({"SMB": [0.004]}, index=months("2024-01", 1))
    got = spreads.headline_spread(vw, ew, factors)
    want = spreads.candidate_spreads(vw, ew, factors)[spreads.HEADLINE]
    assert list(got) == pytest.approx(list(want)) and got.name == spreads.label(*spreads.HEADLINE)


def test_headline_is_the_best_tracking_candidate_on_the_full_store(store):
    """The fixed definition is what its rule picks on the full 2000-2026 store (its comment's numbers)."""
    me = "ff_portfolios_me"
    c = spreads.candidate_spreads(data.famafrench_table(me, "Average Value Weight Returns -- Monthly"),
                                  data.famafrench_table(me, "Average Equal Weighted Returns -- Monthly"),
                                  data.famafrench_table("ff_5_factors", ""))
    bench = spreads.etf_spread_monthly(data.close_prices("IWM"), data.close_prices("SPY"))
    assert str(bench.index[0]) == "2000-06"          # IWM's first close is 2000-05-26
    t = spreads.tracking_table(c, bench)
    assert spreads.best_tracking(t) == spreads.HEADLINE
    assert t.loc[spreads.HEADLINE, "correlation"] == pytest.approx(0.959, abs=5e-4)
    assert t.loc[spreads.HEADLINE, "tracking_error"] == pytest.approx(0.0285, abs=5e-5)


def test_tracking_table_alpha_is_the_intercept():
    idx = months("2024-01", 4)
    cands = pd.DataFrame({("A", "VW"): [0.01, 0.02, 0.03, 0.04]}, index=idx)
    cands.columns = pd.MultiIndex.from_tuples(cands.columns, names=["spread", "weighting"])
    bench = pd.Series([0.025, 0.045, 0.065, 0.085], index=idx)                 # 0.005 + 2 x A
    row = spreads.tracking_table(cands, bench).iloc[0]
    assert row["beta"] == pytest.approx(2.0) and row["alpha"] == pytest.approx(0.005)


def test_group_profile_by_hand():
    cols = ["Lo 30", "Med 40", "Hi 30", "Lo 10", "Qnt 2", "Hi 20"]
    firms = pd.DataFrame([[600, 300, 100, 450, 120, 60]], columns=cols, index=months("2024-06", 1))
    size = pd.DataFrame([[50.0, 800.0, 20000.0, 20.0, 1500.0, 30000.0]], columns=cols, index=months("2024-06", 1))
    p = spreads.group_profile(firms, size, "2024-06", groups=("Lo 10", "Qnt 2", "Hi 20"))
    assert p.attrs["firms_total"] == 1000                                      # 600 + 300 + 100
    assert p.loc["Lo 10", "firms"] == 450 and p.loc["Lo 10", "share_of_firms"] == pytest.approx(0.45)
    assert p.loc["Qnt 2", "avg_size_musd"] == 1500.0
    assert spreads.group_profile(firms, size, "2024-07").empty


def test_source_of_names_the_table():
    assert "5 factors" in spreads.source_of("SMB", "VW")
    assert spreads.source_of("Lo 20-Hi 20", "EW").endswith("Average Equal Weighted Returns -- Monthly")


def test_one_period_spreads_are_log_differences_and_smb_as_is():
    import numpy as np
    import pandas as pd

    from rotation import spreads

    idx = pd.period_range("1963-07", periods=2, freq="M")
    cols = ["Lo 30", "Hi 30", "Lo 20", "Hi 20", "Qnt 2", "Lo 10", "Hi 10"]
    vw = pd.DataFrame({c: [0.10, -0.05] for c in cols}, index=idx)
    vw["Hi 20"] = [0.0, 0.05]
    factors = pd.DataFrame({"SMB": [0.01, 0.02]}, index=idx)
    out = spreads.one_period_spreads(vw, vw, factors)
    # Lo 20 - Hi 20 in month 1: log(1.10) - log(1.00)
    assert out[("Lo 20-Hi 20", "VW")].iloc[0] == pytest.approx(np.log(1.10), abs=1e-15)
    assert out[("Lo 20-Hi 20", "VW")].iloc[1] == pytest.approx(np.log(0.95) - np.log(1.05), abs=1e-15)
    assert list(out[("SMB", "VW")]) == [0.01, 0.02]
    assert spreads.headline_one_period(vw, vw, factors).equals(out[spreads.HEADLINE])
