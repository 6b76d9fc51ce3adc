"""Papermill runs with non-default parameters: recorded figures equal the library's answer
for the same inputs (computed here independently of the notebook)."""
from pathlib import Path

import pandas as pd
import papermill as pm
import pytest

from rotation import data, overview, results

ROOT = Path(__file__).resolve().parents[1]
NB = ROOT / "notebooks"


def run_nb(name, tmp_path, **parameters):
    out = tmp_path / f"{name}.ipynb"
    pm.execute_notebook(str(NB / f"{name}.ipynb"), str(out), parameters=parameters, kernel_name="python3",
                        progress_bar=False, cwd=str(NB))
    return results.read(out)


def test_overview_as_of_2020(tmp_path, store):
    figs = run_nb("00_data_overview", tmp_path, as_of="2020-12-31")
    with data.cutoff("2020-12-31"):  # what the notebook sees: the store as published by 2020-12-31
        cov = data.coverage()
    assert figs["datasets"]["value"] == len(cov) < len(data.coverage())  # SOFR's newer copy etc. did not exist yet
    # Fama-French October 2020 was out by mid-December, November only in mid-January
    assert figs["datasets_covering_as_of"]["as_of"] == "2020-10-31"
    assert figs["datasets_covering_as_of"]["value"] == int((cov["covers_through"] >= pd.Period("2020-10", "M")).sum())
    assert figs["latest_common_month"]["value"] <= "2020-12"
    # the last December CPI published by 2020-12-31 is December 2019 (out mid-January 2020), from the raw series:
    cpi = data.fred_series("CPIAUCSL")
    assert figs["cpi_yoy_december_by_date"]["as_of"] == "2019-12-31"
    want = (cpi["2019-12-01"] / cpi["2018-12-01"] - 1) * 100
    assert figs["cpi_yoy_december_by_date"]["value"] == pytest.approx(want, abs=1e-4)
    assert figs["cpi_yoy_december_by_row"]["value"] == pytest.approx(want, abs=1e-4)  # no hole in 2019
    # the headline small-minus-large against IWM minus SPY, June 2000 (IWM's first full month) to October 2020
    # (the last Fama-French month published by 2020-12-31), recomputed here from the raw files
    import numpy as np

    from rotation import spreads

    assert figs["small_minus_large_definition"]["value"] == spreads.label(*spreads.HEADLINE)
    assert figs["small_minus_large_tracking_months"]["value"] == 245  # 2000-06 .. 2020-10
    assert figs["small_minus_large_tracking_corr"]["as_of"] == "2020-10-31"
    months = pd.period_range("2000-06", "2020-10", freq="M")
    closes = {t: data.close_prices(t) for t in ("IWM", "SPY")}
    month_end = {t: s.groupby(s.index.to_period("M")).last() for t, s in closes.items()}
    etf = (month_end["IWM"].pct_change() - month_end["SPY"].pct_change()).reindex(months)
    headline = spreads.candidate_spreads(data.famafrench_table("ff_portfolios_me", "Average Value Weight Returns -- Monthly"),
                                         data.famafrench_table("ff_portfolios_me", "Average Equal Weighted Returns -- Monthly"),
                                         data.famafrench_table("ff_5_factors", ""))[spreads.HEADLINE].reindex(months)
    assert not etf.isna().any() and not headline.isna().any()
    assert figs["small_minus_large_tracking_corr"]["value"] == pytest.approx(np.corrcoef(headline, etf)[0, 1], abs=1e-4)
    te = np.std(headline - etf, ddof=1) * np.sqrt(12)
    assert figs["small_minus_large_tracking_error"]["value"] == pytest.approx(te, abs=1e-4)
    with data.cutoff("2020-12-31"):  # the rule that fixed the headline, applied to what was published by then
        me = "ff_portfolios_me"
        table = spreads.tracking_table(
            spreads.candidate_spreads(data.famafrench_table(me, "Average Value Weight Returns -- Monthly"),
                                      data.famafrench_table(me, "Average Equal Weighted Returns -- Monthly"),
                                      data.famafrench_table("ff_5_factors", "")),
            spreads.etf_spread_monthly(data.close_prices("IWM"), data.close_prices("SPY")))
    assert figs["small_minus_large_best_tracking"]["value"] == spreads.label(*spreads.best_tracking(table))


def test_overview_bad_as_of_stops_at_validation(tmp_path, store):
    with pytest.raises(pm.PapermillExecutionError) as exc:
        run_nb("00_data_overview", tmp_path, as_of="1900-01-31")
    assert "ParameterError" in exc.value.ename and "as_of" in exc.value.evalue


@pytest.mark.parametrize("as_of, published", [("2000-03-31", "2000-01"), ("2025-12-31", "2025-10")])
def test_concentration_figures_match_library(tmp_path, store, as_of, published):
    import nbformat

    from rotation import concentration, findings, params

    from rotation import inference, spreads

    figs = run_nb("03_concentration", tmp_path, as_of=as_of, high_concentration_pct=75.0, bootstrap_draws=19, headline_draws=59)
    with data.cutoff(as_of):  # what the notebook sees: Fama-French months published by as_of (about 45 days' lag)
        firms = data.famafrench_table("ff_portfolios_me", "Number of Firms in Portfolios")
        size = data.famafrench_table("ff_portfolios_me", "Average Firm Size")
        vw = data.famafrench_table("ff_portfolios_me", "Average Value Weight Returns -- Monthly")
        ew = data.famafrench_table("ff_portfolios_me", "Average Equal Weighted Returns -- Monthly")
        factors = data.famafrench_table("ff_5_factors", "")
    month = pd.Period(published, "M")
    assert firms.index.max() == month
    window = params.Window(start=pd.Period("1926-07", "M"), as_of=pd.Timestamp(as_of), as_of_month=month,
                           requested=as_of, data_end=month)
    one_period = spreads.one_period_spreads(vw, ew, factors)
    head = concentration.summary(firms, size, vw, window, 75.0, headline=one_period[spreads.HEADLINE])
    for name in ["top_decile_share", "top_decile_share_percentile", "peak_share", "fwd5y_small_minus_large_after_high",
                 "fwd5y_lo30_hi10_after_high", "recent_high_share"]:
        if head[name] != head[name]:  # NaN: recorded as None
            assert figs[name]["value"] is None, name
            continue
        assert figs[name]["value"] == pytest.approx(head[name], abs=1e-4), name
    for name in ["top_decile_firms", "top_decile_firms_min", "top_decile_firms_max", "peak_month", "as_of_high",
                 "fwd5y_high_months", "fwd5y_high_episodes", "fwd5y_high_months_pending", "recent_high_month",
                 "recent_high_candidate"]:
        assert figs[name]["value"] == head[name], name
    # Fama-French row t holds caps at the END of t-1: the last row published (month) gives the share of month - 1
    assert figs["top_decile_share"]["as_of"] == str((month - 1).to_timestamp(how="end").date())
    assert all(f["as_of"] <= as_of for f in figs.values())
    # independent of the library: the share and the firm counts from the raw table values
    caps = firms.loc[month, concentration.DECILES] * size.loc[month, concentration.DECILES]
    assert figs["top_decile_share"]["value"] == pytest.approx(caps["Hi 10"] / caps.sum(), abs=1e-6)
    counts = firms.loc[pd.Period("1926-08", "M"):month, "Hi 10"]  # rows 1926-08.. = month-ends 1926-07..month-1
    assert (figs["top_decile_firms_min"]["value"], figs["top_decile_firms_max"]["value"]) == (counts.min(), counts.max())
    # robust inference on the headline spread (SMB, from 1963-07), same draws and seed as the run
    share = window.clip(concentration.top_decile_share(firms, size)).dropna()
    reg = concentration.share_regression(one_period[spreads.HEADLINE], share, window, h=60, draws=59, seed=0)
    for key in ["slope", "t_nw", "t_hodrick", "p_bootstrap", "oos_r2"]:
        assert figs[f"share_regression_{key}"]["value"] == pytest.approx(reg[key], abs=1e-5), key
    assert reg["first"] == "1963-07"
    ev = concentration.episode_evidence(share, one_period[spreads.HEADLINE], window, 75.0, 60)
    assert figs["fwd5y_after_high_episodes"]["value"] == ev.attrs["n_episodes"]
    if ev.attrs["n_episodes"]:
        assert figs["fwd5y_after_high_episode_mean"]["value"] == pytest.approx(ev["mean_outcome"].mean(), abs=1e-6)
    else:
        assert figs["fwd5y_after_high_episode_mean"]["value"] is None
    grid = concentration.specification_grid(one_period, share, window, draws=19, seed=0)
    assert figs["concentration_grid_specs"]["value"] == len(grid) >= 12
    for stance, value in inference.grid_shares(grid).items():
        assert figs[f"concentration_grid_share_{stance}"]["value"] == pytest.approx(value, abs=1e-6), stance
    market = window.clip(concentration.market_return(firms, size, vw))
    found = concentration.high_concentration_episodes(share, concentration.high_flags(share, 75.0), market, {}, month)
    assert figs["high_episodes_found"]["value"] == len(found)
    assert figs["concentration_grid_skipped"]["value"] == len(concentration.skipped_specs(one_period, share, window))
    # every generated sentence agrees with the figures it quotes
    statements = findings.from_notebook(nbformat.read(tmp_path / "03_concentration.ipynb", 4))
    assert statements and not [p for st in statements for p in findings.check(st, figs)]


@pytest.mark.parametrize("as_of", ["2000-03-31", "2025-12-31"])
def test_valuation_figures_match_library(tmp_path, store, as_of):
    import numpy as np

    from rotation import inference, params, spreads, valuation

    figs = run_nb("01_valuation_gap", tmp_path, as_of=as_of, horizon_years=3)
    window = params.validate(as_of, "1926-07-01", core="ff_25_size_bm")   # the notebook's cutoff and window
    with data.cutoff(as_of):
        firms = data.famafrench_table("ff_25_size_bm", "Number of Firms in Portfolios")
        cap = data.famafrench_table("ff_25_size_bm", "Average Market Cap")
        bm_june = data.famafrench_table("ff_25_size_bm", valuation.BM_JUNE_TABLE)
        bm_dec = data.famafrench_table("ff_25_size_bm", valuation.BM_TABLE)
        r25 = data.famafrench_table("ff_25_size_bm", valuation.RETURNS_TABLE)
        vw = data.famafrench_table("ff_portfolios_me", "Average Value Weight Returns -- Monthly")
        ew = data.famafrench_table("ff_portfolios_me", "Average Equal Weighted Returns -- Monthly")
        factors = data.famafrench_table("ff_5_factors", "")
        shiller = data.shiller()
    rel = valuation.relative_pb(valuation.price_updated_pb_by_size(firms, cap, bm_june, r25))
    rel_dec = valuation.relative_pb(valuation.price_to_book_by_size(firms, cap, bm_dec))
    headline = spreads.one_period_spreads(vw, ew, factors)[spreads.HEADLINE]
    head = valuation.summary(rel, rel_dec, headline, shiller, window, 3, draws=499)
    for name in ["relative_pb_small_big", "relative_pb_percentile", "relative_pb_percentile_since_1963", "relative_pb_zscore",
                 "relative_pb_small_big_dec_formation", "small_cap_pb_discount", "sp500_cape", "sp500_trailing_pe"]:
        assert figs[name]["value"] == pytest.approx(head[name], abs=1e-3), name
    # the headline cheapness regression (36 months here), recomputed with rotation.inference on the sample window
    # (start .. as_of month, from the headline spread's first month), same draws (499) and seed (0) as the notebook
    fit = inference.predictive_regression(window.clip(headline), window.clip(rel).dropna(), 36, draws=499, seed=0)
    for name, want in [("fwd_smb_slope", fit.estimate), ("fwd_smb_slope_t", fit.t_nw), ("fwd_smb_slope_t_hodrick", fit.t_hodrick),
                       ("fwd_smb_slope_p_bootstrap", fit.p_bootstrap), ("fwd_smb_oos_r2", fit.oos_r2),
                       ("fwd_smb_slope_null_mean", fit.null_mean_slope), ("fwd_smb_nobs", fit.n_obs)]:
        assert figs[name]["value"] == pytest.approx(want, abs=1e-3), name
    # independently of both libraries: the slope from the raw SMB column, y_t = (12/36) x (SMB_{t+1} + ... + SMB_{t+36})
    smb = factors["SMB"].copy()
    smb.index = pd.PeriodIndex(smb.index, freq="M")
    smb = smb[smb.index <= window.as_of_month]
    y = (smb.rolling(36).sum().shift(-36) / 3).dropna()
    x = rel.reindex(y.index).dropna()
    assert str(x.index.min()) == "1963-07" and len(x) == figs["fwd_smb_nobs"]["value"]
    assert figs["fwd_smb_slope"]["value"] == pytest.approx(np.polyfit(x.to_numpy(), y.loc[x.index].to_numpy(), 1)[0], abs=1e-5)
    # the grid: every specification embedded, shares add up to one
    import nbformat as _nbf

    rows = results.grid_from_notebook(_nbf.read(tmp_path / "01_valuation_gap.ipynb", 4))
    assert len(rows) == figs["valuation_grid_specs"]["value"] >= 12 and {r["claim"] for r in rows} == {"valuation"}
    assert all(r["sample_start"] <= str(window.as_of_month) for r in rows)
    assert sum(figs[f"valuation_grid_share_{s}"]["value"] for s in inference.STANCES) == pytest.approx(1.0, abs=1e-5)
    assert figs["valuation_grid_share_supports"]["value"] == pytest.approx(
        sum(r["stance"] == "supports" for r in rows) / len(rows), abs=1e-5)
    month = window.as_of_month                       # last month published by as_of (2025-12-31 -> 2025-10)
    assert month < pd.Period(as_of[:7], "M")
    assert figs["relative_pb_small_big"]["as_of"] == str(month.to_timestamp(how="end").date())

    # independently from the raw table values: the June-formation P/B of the July row (end-of-June prices),
    # rolled forward with each quintile's value-weighted return from July to the as_of month
    july = pd.Period(f"{month.year if month.month >= 7 else month.year - 1}-07", "M")

    def pb(cols, bm_table, start, end):
        me0 = firms.loc[start, cols] * cap.loc[start, cols]
        value = me0.sum() / (me0 * bm_table.loc[start, cols]).sum()
        for k in pd.period_range(start, end, freq="M") if end is not None else []:
            me = firms.loc[k, cols] * cap.loc[k, cols]
            value *= 1 + (me * r25.loc[k, cols]).sum() / me.sum()
        return value

    small, big = list(firms.columns[:5]), list(firms.columns[-5:])
    assert small[0] == "SMALL LoBM" and big[-1] == "BIG HiBM"
    assert figs["relative_pb_small_big"]["value"] == pytest.approx(pb(small, bm_june, july, month) / pb(big, bm_june, july, month), abs=1e-5)
    # December formation: that month's row as published (prices of December before the formation), no roll-forward
    assert figs["relative_pb_small_big_dec_formation"]["value"] == pytest.approx(
        pb(small, bm_dec, month, None) / pb(big, bm_dec, month, None), abs=1e-5)
    # the post-1963 percentile: share of months 1963-07..as_of at or below the value
    since = rel[(rel.index >= pd.Period("1963-07", "M")) & (rel.index <= month)]
    assert figs["relative_pb_percentile_since_1963"]["value"] == pytest.approx(
        float(np.mean(since.to_numpy() <= figs["relative_pb_small_big"]["value"] + 1e-9)) * 100, abs=1e-2)
    # CAPE independently: Shiller's value for the as_of month itself
    assert figs["sp500_cape"]["value"] == pytest.approx(data.shiller().loc[month, "CAPE"], abs=1e-3)
    assert ("article_pe_discount" in figs) == (pd.Timestamp(as_of) >= data.article_date())
    # every generated sentence agrees with the figures it quotes
    import nbformat

    from rotation import findings

    statements = findings.from_notebook(nbformat.read(tmp_path / "01_valuation_gap.ipynb", 4))
    assert statements and not [p for st in statements for p in findings.check(st, figs)]
    # every grid specification holds at least 5 non-overlapping windows; the joint share is counted from the rows
    assert all(r["n_obs"] >= 5 * r["horizon_months"] for r in rows)
    assert figs["valuation_grid_share_supports_and_oos_positive"]["value"] == pytest.approx(
        sum(r["stance"] == "supports" and r["oos_r2"] > 0 for r in rows) / len(rows), abs=1e-5)
    # the Hodrick t is not read against the normal; the stance is labelled in-sample and read beside the out-of-sample R²
    assert "fwd_smb_slope_p_hodrick" not in figs and "in-sample stance" in figs["fwd_smb_stance"]["label"]
    reading = [st["text"] for st in statements if st["text"].startswith("Read together")]
    assert len(reading) == 1 and f"{figs['fwd_smb_oos_r2']['value']:+.3f}" in reading[0]
    assert ("did not beat the historical mean" in reading[0]) == (figs["fwd_smb_oos_r2"]["value"] <= 0)
    # the headline definition: before 2026 it is named as a definition fixed on later data, with the as_of tracking winner
    with data.cutoff(as_of):
        etf = spreads.etf_spread_monthly(window.to_date(data.close_prices("IWM")), window.to_date(data.close_prices("SPY")))
    best = spreads.best_tracking(spreads.tracking_table(window.to_date(spreads.candidate_spreads(vw, ew, factors)), window.to_date(etf)))
    assert figs["small_minus_large_best_tracking"]["value"] == (None if best is None else spreads.label(*best))
    naming = [st["text"] for st in statements if st["text"].startswith("The headline small-minus-large spread")]
    before_choice = pd.Period(as_of[:7], "M") < spreads.chosen_on_end()
    assert len(naming) == 1 and (("is a definition fixed for the collection" in naming[0]) == before_choice)


@pytest.mark.parametrize("as_of, start, first_cut", [("2025-12-31", "1990-01-01", "2024-09"), ("2019-12-31", "1977-01-01", "2019-07"),
                                                     ("2008-06-30", "1990-01-01", "2007-09")])
def test_rates_figures_match_library(tmp_path, store, as_of, start, first_cut):
    import nbformat
    import numpy as np

    from rotation import findings, inference, params, rates, spreads

    draws, grid_draws = 499, 99  # the notebook's parameters, same seed (rates.RANDOMISATION_SEED)
    figs = run_nb("02_rate_sensitivity", tmp_path, as_of=as_of, start=start, randomisation_draws=draws, grid_draws=grid_draws)
    with data.cutoff(as_of):  # the library on what was published by as_of, as the notebook sees it
        window = params.validate(as_of, start, core=("ff_portfolios_me", "fred_DGS2"))
        vw = data.famafrench_table("ff_portfolios_me", "Average Value Weight Returns -- Monthly")
        ew = data.famafrench_table("ff_portfolios_me", "Average Equal Weighted Returns -- Monthly")
        cands = spreads.one_period_spreads(vw, ew, data.famafrench_table("ff_5_factors", ""))
        fedfunds, upper_daily, prime = data.fred_series("FEDFUNDS"), data.fred_series("DFEDTARU"), data.fred_series("DPRIME")
        head = rates.summary(vw, data.fred_series("DGS2"), fedfunds, upper_daily, window, one_period=cands[spreads.HEADLINE],
                             draws=draws, seed=rates.RANDOMISATION_SEED, prime_daily=prime, min_gap=12)
        usrec = data.fred_series("USREC")
        signals = rates.cut_signals(fedfunds, upper_daily)
        events = rates.grid_events(signals, window, upper_daily, prime)
        grid = inference.event_grid("easing", cands, events, rates.grid_starts(window, signals), (12, 24), +1, window.as_of_month,
                                    draws=grid_draws, seed=rates.RANDOMISATION_SEED, min_gap=12)
        grid = grid.drop_duplicates(subset=["spread", "weighting", "sample_start", "horizon_months"])
    assert head["spread_definition"] == spreads.label(*spreads.HEADLINE)
    for name in ["size_spread_beta_dgs2", "size_spread_beta_dgs2_t", "mean_spread_12m_after_first_cut",
                 "mean_spread_12m_after_first_cut_p_randomization", "mean_spread_24m_after_first_cut",
                 "mean_spread_24m_after_first_cut_p_randomization"]:
        assert figs[name]["value"] == pytest.approx(head[name], abs=1e-4, nan_ok=True), name
    for name in ["easing_cycles", "cycles_with_12m", "cycles_with_24m", "cycles_small_ahead_12m", "size_spread_beta_dgs2_months",
                 "current_cycle_first_cut"]:
        assert figs[name]["value"] == head[name], name
    # first-cut months are the months of the FOMC decisions (not the later signal months), e.g. July 2019 for the 2019-07-31 cut
    if as_of >= "2019-12-31":
        assert "2019-07" in head["first_cuts"] and "2019-08" not in head["first_cuts"]
    # the grid starts at the first available month (the cut rule dates first cuts from 1955-07) as well as 1963-07 and 1990-01
    assert {"1955-07", "1963-07", "1990-01"} <= set(grid["sample_start"])
    # the headline mean independently: SMB summed over the 12 months after each first cut in the sample, complete by as_of_month
    smb = cands[spreads.HEADLINE]
    outs = [smb[(smb.index > pd.Period(c, "M")) & (smb.index <= pd.Period(c, "M") + 12)].sum()
            for c in head["first_cuts"] if pd.Period(c, "M") + 12 <= window.as_of_month]
    assert figs["cycles_with_12m"]["value"] == len(outs)
    if outs:
        assert figs["mean_spread_12m_after_first_cut"]["value"] == pytest.approx(np.mean(outs), abs=1e-6)
    for c, v in zip([c for c in head["first_cuts"] if pd.Period(c, "M") + 12 <= window.as_of_month], outs):
        assert figs[f"easing_cycle_{c}_spread_12m"]["value"] == pytest.approx(v, abs=1e-6)
    # the current cycle: the headline spread summed over the months after the first-cut month up to as_of_month
    first = pd.Period(figs["current_cycle_first_cut"]["value"], "M")
    since = smb[(smb.index > first) & (smb.index <= window.as_of_month)]
    assert figs["current_cycle_spread_since_first_cut"]["value"] == pytest.approx(since.sum(), abs=1e-6)
    # the grid: at least 12 specifications, shares as recomputed, and the headline specification equal to the headline figure
    shares = inference.grid_shares(grid)
    assert figs["easing_grid_specs"]["value"] == len(grid) >= 12
    for stance in inference.STANCES:
        assert figs[f"easing_grid_share_{stance}"]["value"] == pytest.approx(shares[stance], abs=1e-4), stance
    row = grid[(grid["spread"] == spreads.HEADLINE[0]) & (grid["weighting"] == spreads.HEADLINE[1])
               & (grid["sample_start"] == str(window.start)) & (grid["horizon_months"] == 12)]
    if len(row) and window.start >= pd.Period("1963-07", "M"):
        assert row["estimate"].iloc[0] == pytest.approx(figs["mean_spread_12m_after_first_cut"]["value"], abs=1e-6)
    # every generated sentence agrees with the figures it quotes
    statements = findings.from_notebook(nbformat.read(tmp_path / "02_rate_sensitivity.ipynb", 4))
    assert statements and not [p for st in statements for p in findings.check(st, figs)]
    # the latest cycle's first cut, from the FOMC's history (2007-09-18, 2019-07-31, 2024-09-18 decisions)
    assert figs["current_cycle_first_cut"]["value"] == first_cut
    # nothing is dated after as_of
    assert all(f["as_of"] <= as_of for f in figs.values()), {k: f["as_of"] for k, f in figs.items() if f["as_of"] > as_of}
    # the target upper bound independently from the raw series (published the day it takes effect)
    upper = data.fred_series("DFEDTARU")
    before = upper[upper.index <= as_of]
    assert figs["fed_target_upper"]["value"] == (before.iloc[-1] if len(before) else None)
    if as_of == "2025-12-31":
        assert figs["fed_target_upper"]["value"] == 3.75
    if as_of == "2008-06-30":
        # the 2007-12 recession was announced on 2008-12-01: not yet known for the 2007-09 cut
        assert rates.recession_within(usrec, pd.Period("2007-09", "M"), 12, rates.NBER_PEAK_LAG_MONTHS) is None
        assert rates.recession_within(data.fred_series("USREC"), pd.Period("2007-09", "M"), 12, rates.NBER_PEAK_LAG_MONTHS) is True


@pytest.mark.parametrize("as_of", ["2025-12-31", "2009-06-30"])
def test_credit_figures_match_library(tmp_path, store, as_of):
    from rotation import credit, params
    from rotation.timeseries import to_monthly_index

    figs = run_nb("04_refinancing_wall", tmp_path, as_of=as_of, floating_share=0.4, base_rate_path="4.0,4.0,4.0")
    with data.cutoff(as_of):
        window = params.validate(as_of, "1951-07-01", core="ff_portfolios_ep")
        firms = data.famafrench_table("ff_portfolios_ep", "Number of Firms in Portfolios")
        op_size = credit.operating_profitability_by_size(data.famafrench_table("ff_25_size_op", "Number of Firms in Portfolios"),
                                                         data.famafrench_table("ff_25_size_op", "Average Market Cap"),
                                                         data.famafrench_table("ff_25_size_op", "Value Weight Average of OP"))
        hy = data.fred_series("BAMLH0A0HYM2")
        gw = data.goyal_welch()
        baa = credit.baa_minus_10y(data.fred_series("BAA"), data.fred_series("DGS10"), data.fred_series("BAA10Y"))
        d = credit.data_defaults({"FEDFUNDS": to_monthly_index(data.fred_series("FEDFUNDS")),
                                  "TB3MS": to_monthly_index(data.fred_series("TB3MS"))},
                                 {"HY": hy, "Baa-10y": baa["spread"], "Baa-lty": (gw["BAA"] - gw["lty"]) * 100}, window.as_of, years=3)
        a = credit.RefinancingAssumptions((0.12, 0.18, 0.22), d["maturing_coupon"]["value"], d["new_issue_spread"]["value"],
                                          d["base_rate_now"]["value"], (4.0, 4.0, 4.0), 0.4, 3.5, 3.0)
        head = credit.summary(firms, hy, op_size, a, window)
    for name in ["unprofitable_share", "unprofitable_share_percentile", "hy_oas", "hy_oas_percentile",
                 "op_small_minus_big", "whatif_interest_cost_change"]:
        assert figs[name]["value"] == pytest.approx(head[name], abs=1e-4), name
    assert figs["unprofitable_share_fiscal_year"]["value"] == head["unprofitable_share_fiscal_year"]
    assert figs["unprofitable_share"]["as_of"] == str(window.as_of_month.to_timestamp(how="end").date())
    # independent: the share straight from the raw counts
    row = firms.loc[window.as_of_month]
    assert figs["unprofitable_share"]["value"] == pytest.approx(row["<= 0"] / row[credit.EP_BUCKETS].sum(), abs=1e-6)
    assert "user" in figs["whatif_interest_cost_change"]["label"] and "data" in figs["whatif_interest_cost_change"]["label"]
    if as_of == "2009-06-30":
        # April 2009 (the last E/P month out by June 30) is still sorted on fiscal 2007 earnings
        assert figs["unprofitable_share_fiscal_year"]["value"] == 2007
        # the data-default base rate = FEDFUNDS for the last month published by 2009-06-30, from the raw file: a month's
        # average is published the day after the month ends, so June 2009 (out 2009-07-01) is not yet there, May is
        raw = pd.read_csv(store / "fred" / "FEDFUNDS.csv", parse_dates=["date"]).dropna()
        out_by = raw[raw["date"] + pd.offsets.MonthEnd(0) + pd.Timedelta(days=1) <= pd.Timestamp(as_of)]
        assert out_by["date"].iloc[-1] == pd.Timestamp("2009-05-01")
        assert figs["whatif_base_rate_now"]["value"] == pytest.approx(float(out_by["value"].iloc[-1]), abs=1e-9)
        assert figs["whatif_base_rate_now"]["as_of"] == "2009-05-31"


@pytest.mark.parametrize("as_of", ["2026-08-31", "2025-12-31"])
def test_claims_figures_match_library(tmp_path, store, as_of):
    from rotation import claims, params

    figs = run_nb("05_claims_check", tmp_path, as_of=as_of)
    recs = data.claims_catalog()["claims"]
    window = params.validate(as_of, "1926-07-01", core="ff_portfolios_me")  # sets the data cutoff to as_of
    expected = claims.evaluate(recs, data.claims_inputs(), window)
    for rec in recs:
        cid = rec["id"]
        assert figs[f"{cid}.verdict"]["value"] == expected.loc[cid, "verdict"], cid
        want = expected.loc[cid, "value"]
        if want is None or pd.isna(want):  # no measured value: recorded as null
            assert figs[cid]["value"] is None, cid
        else:
            assert figs[cid]["value"] == pytest.approx(want, rel=1e-9), cid
    if as_of == "2025-12-31":  # claims about 2026 are not observable yet; a claim no data can test is not testable at any date
        for cid in ["small_caps_lead_2026_open", "sp500_near_record"]:
            assert figs[f"{cid}.verdict"]["value"] == "not yet observable"
        assert figs["forward_pe_gap.verdict"]["value"] == "not testable"
    else:
        assert figs["fed_target_dec_2025.verdict"]["value"] == "supported"
        assert figs["forward_pe_gap.verdict"]["value"] == "not testable"


@pytest.mark.parametrize("as_of", ["2026-04-30", "2008-06-30"])
def test_thesis_figures_match_library(tmp_path, store, as_of):
    import math

    import nbformat

    from rotation import concentration, findings, params, thesis

    figs = run_nb("06_thesis_verdict", tmp_path, as_of=as_of, valuation_pct_min=75.0, credit_pct_max=60.0, easing_months=3,
                  signal_min_legs=2)
    th = thesis.Thresholds(valuation_pct_min=75.0, concentration_pct_min=80.0, easing_months=3, easing_cut_pp=0.25, credit_pct_max=60.0)
    with data.cutoff(as_of):  # the library on what was published by as_of, as the notebook sees it
        window = params.validate(as_of, "1926-07-01", core=("ff_portfolios_me", "ff_25_size_bm"))
        inp = data.thesis_inputs()
    got = thesis.summary(inp, window, th, min_legs=2)
    legs = got["legs"]
    for leg, name in [("valuation", "valuation_discount"), ("concentration", "top_decile_share"), ("easing", "fedfunds_change"),
                      ("credit", "credit_spread")]:
        assert figs[name]["value"] == pytest.approx(legs.loc[leg, "value"], abs=1e-6), name
        assert figs[name]["as_of"] == str(legs.loc[leg, "month"].to_timestamp(how="end").date()), name
        assert figs[f"{leg}_holds"]["value"] == legs.loc[leg, "holds"], leg
        if leg != "easing":
            assert figs[f"{leg}_percentile"]["value"] == pytest.approx(legs.loc[leg, "percentile"], abs=1e-4), leg
    assert figs["legs_held"]["value"] == got["count"]["held"]
    if got["common"]["month"] is not None:
        assert figs["legs_held_last_judged_month"]["value"] == got["common"]["held"]
        assert figs["legs_held_last_judged_month"]["as_of"] == str(got["common"]["month"].to_timestamp(how="end").date())
    main = got["episode_summary"]["all_four"][thesis.VERDICT_HORIZON_MONTHS]
    assert figs["analogue_episodes_all_four"]["value"] == main["episodes"]
    assert figs["analogue_complete_3y_all_four"]["value"] == main["complete"]
    if main["complete"]:
        assert figs["analogue_mean_3y_all_four"]["value"] == pytest.approx(main["mean"], abs=1e-12)
    else:
        assert "analogue_mean_3y_all_four" not in figs
    assert figs["base_rate_mean_3y"]["value"] == pytest.approx(got["base"].loc[36, "mean"], abs=1e-12)
    a = got["analogue"]  # test (a): the at-least-three episodes against the base rate, windows from t + 4
    assert figs["analogue_complete_3y_at_least_three"]["value"] == a["complete"]
    assert figs["thesis_rule_analogues"]["value"] == a["stance"]
    sig = got["signal"]  # test (b): monthly means recorded in percent, unrounded
    for name, key, scale in [("signal_months", "months", 1), ("signal_share_invested", "share_invested", 1),
                             ("signal_stretches", "stretches", 1), ("signal_mean_monthly", "mean", 100),
                             ("signal_excess_monthly", "excess_mean", 100), ("signal_hit_rate", "hit_rate", 1)]:
        assert figs[name]["value"] == pytest.approx(sig[key] * scale, abs=1e-12), name
    assert figs["thesis_rule_signal"]["value"] == sig["stance"]
    for name, key in [("signal_t_nw", "t_nw"), ("signal_excess_t_nw", "excess_t_nw")]:  # no t under five stretches
        if sig["stretches"] >= thesis.MIN_EPISODES:
            assert figs[name]["value"] == pytest.approx(sig[key], abs=1e-12), name
        else:
            assert name not in figs, name
    assert figs["thesis_premise"]["value"] == got["premise"]
    assert figs["thesis_verdict"]["value"] == got["verdict"] and figs["thesis_verdict"]["label"] == got["summary"]
    assert figs["thesis_verdict"]["unit"] == "verdict"
    # the grid: 11 spreads x 3 threshold settings x 2 tests; its headline row under this report's thresholds is the verdict's
    grid = got["grid"]
    assert figs["thesis_grid_specs"]["value"] == len(grid) == 66
    head = grid[(grid["spread"] == "SMB") & (grid["thresholds"] == "this report")].set_index("test")
    assert head.loc["analogues", "stance"] == a["stance"] and head.loc["signal", "stance"] == sig["stance"]
    assert head.loc["analogues", "verdict"] == got["verdict"]
    assert figs["thesis_grid_share_same_verdict"]["value"] == pytest.approx(thesis.grid_summary(grid, got["verdict"])["same_verdict"])
    nb = nbformat.read(tmp_path / "06_thesis_verdict.ipynb", 4)
    assert len(results.grid_from_notebook(nb)) == len(grid)
    # independent of the library: the concentration leg and the easing change from the raw tables
    with data.cutoff(as_of):
        firms = data.famafrench_table("ff_portfolios_me", "Number of Firms in Portfolios")
        size = data.famafrench_table("ff_portfolios_me", "Average Firm Size")
        ff = data.fred_series("FEDFUNDS")
    last = firms.index.max()  # row `last` holds the caps at the end of the month before
    caps = firms.loc[last, concentration.DECILES] * size.loc[last, concentration.DECILES]
    assert figs["top_decile_share"]["value"] == pytest.approx(caps["Hi 10"] / caps.sum(), abs=1e-6)
    assert figs["top_decile_share"]["as_of"] == str((last - 1).to_timestamp(how="end").date())
    month = ff.index.max()
    assert figs["fedfunds_change"]["value"] == pytest.approx(ff[month] - ff[month - pd.DateOffset(months=3)], abs=1e-9)
    if as_of == "2026-04-30":
        # from the 2025-12-31 close to the last close at or before as_of, adjusted closes (total return)
        iwm, spy, rut = (data.close_prices(t) for t in ("IWM", "SPY", "RUT"))
        end = min(iwm[iwm.index <= as_of].index.max(), spy[spy.index <= as_of].index.max())
        want = (iwm[end] / iwm["2025-12-31"] - 1) - (spy[end] / spy["2025-12-31"] - 1)
        assert figs["post_article_iwm_minus_spy"]["value"] == pytest.approx(want, abs=1e-6)
        assert figs["post_article_iwm_minus_spy"]["as_of"] == str(end.date())
        after = rut[(rut.index > "2025-12-31") & (rut.index <= as_of)]  # ^RUT ends 2026-02-23 in the snapshot
        assert figs["post_article_rut_high"]["value"] == pytest.approx(after.max(), abs=0.01)
        assert figs["post_article_rut_high"]["as_of"] == str(after.idxmax().date()) == "2026-01-22"
        assert figs["post_article_fed_upper"]["value"] == 3.75 and figs["post_article_fed_cuts"]["value"] == 0
    else:  # before the article: nothing after it is recorded
        assert not [k for k in figs if k.startswith("post_article")]
    # every figure is dated by as_of and every value is a number, text, flag or null (never NaN)
    assert all(f["as_of"] <= as_of for f in figs.values()), {k: f["as_of"] for k, f in figs.items() if f["as_of"] > as_of}
    assert not [k for k, f in figs.items() if isinstance(f["value"], float) and math.isnan(f["value"])]
    statements = findings.from_notebook(nb)
    assert statements and not [p for st in statements for p in findings.check(st, figs)]
    assert not [st["text"] for st in statements if "(s)" in st["text"]]
    assert not [st["text"] for st in statements if "nan" in st["text"].lower().split() or "NaT" in st["text"]]
