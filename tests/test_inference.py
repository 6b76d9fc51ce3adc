"""Robust inference on small simulated frames, against direct computations written out here."""
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from rotation import inference as inf


def test_forward_sum_by_hand():
    d = np.array([1.0, 2.0, 3.0, 4.0, np.nan, 6.0])
    # y_0 = d1+d2 = 5, y_1 = d2+d3 = 7, y_2 = d3+d4 = nan (d4 missing), y_3 = nan, y_4.. past the end
    y = inf.forward_sum(d, 2, scale=0.5)
    assert y[0] == 2.5 and y[1] == 3.5
    assert np.isnan(y[2:]).all()


def _sim(n=180, rho=0.9, h=6, seed=3, beta=0.0):
    rng = np.random.default_rng(seed)
    u = rng.normal(0, 1, n)
    x = np.empty(n)
    x[0] = 0
    for t in range(1, n):
        x[t] = rho * x[t - 1] + u[t]
    d = 0.01 + beta * np.r_[0, x[:-1]] + rng.normal(0, 0.05, n) - 0.02 * u  # shocks correlated with u
    return d, x


def test_newey_west_matches_a_direct_loop_and_statsmodels():
    d, x = _sim()
    y = inf.forward_sum(d, 6, 2.0)
    ok = ~np.isnan(y)
    z = np.column_stack([np.ones(ok.sum()), x[ok]])
    beta, e, _ = inf.ols(z, y[ok])
    lags = 6
    # direct: S = sum_t sum_s w(|t-s|) g_t g_s' for |t-s| <= lags
    g = z * e[:, None]
    n = len(e)
    s = np.zeros((2, 2))
    for t in range(n):
        for u in range(n):
            j = abs(t - u)
            if j <= lags:
                s += (1 - j / (lags + 1)) * np.outer(g[t], g[u])
    zz = np.linalg.inv(z.T @ z)
    direct = zz @ s @ zz
    assert np.allclose(inf.newey_west_cov(z, e, lags), direct)
    res = sm.OLS(y[ok], z).fit(cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": False})
    assert np.allclose(inf.newey_west_cov(z, e, lags), res.cov_params(), rtol=1e-10)


def test_hodrick_matches_a_direct_computation():
    d, x = _sim(n=120, h=4)
    h, scale = 4, 3.0
    y = inf.forward_sum(d, h, scale)
    ins = ~np.isnan(y)
    zfull = np.column_stack([np.ones(len(x)), x])
    eps = d - d.mean()
    # direct: V = (Z'Z)^-1 [sum_s (scale eps_s)^2 q_s q_s'] (Z'Z)^-1, q_s = sum_{t in sample, s-h<=t<=s-1} z_t
    meat = np.zeros((2, 2))
    for s_ in range(len(d)):
        q = np.zeros(2)
        for t in range(max(0, s_ - h), s_):
            if ins[t]:
                q += zfull[t]
        meat += (scale * eps[s_]) ** 2 * np.outer(q, q)
    zz = np.linalg.inv(zfull[ins].T @ zfull[ins])
    assert np.allclose(inf.hodrick_cov(zfull, ins, eps, h, scale), zz @ meat @ zz)


def test_hodrick_with_one_period_is_white_with_null_residuals():
    d, x = _sim(n=60, h=1)
    y = inf.forward_sum(d, 1)
    ins = ~np.isnan(y)
    z = np.column_stack([np.ones(len(x)), x])
    eps = d - d.mean()
    # h = 1: y_t = d_{t+1}, q_{t+1} = z_t: White's sandwich with eps_{t+1} in place of fitted residuals
    zin = z[ins]
    e_next = eps[1:][ins[:-1]]
    zz = np.linalg.inv(zin.T @ zin)
    white = zz @ (zin * (e_next ** 2)[:, None]).T @ zin @ zz
    assert np.allclose(inf.hodrick_cov(z, ins, eps, 1, 1.0), white)


def test_bootstrap_is_reproducible_and_sized_under_the_null():
    d, x = _sim(n=200)
    a = inf.null_bootstrap(d, x, 12, 1.0, draws=50, seed=7)
    b = inf.null_bootstrap(d, x, 12, 1.0, draws=50, seed=7)
    assert np.array_equal(a["t"], b["t"]) and np.array_equal(a["slope"], b["slope"])
    assert not np.array_equal(a["t"], inf.null_bootstrap(d, x, 12, 1.0, draws=50, seed=8)["t"])
    # data generated under the null with a very persistent predictor whose shocks move returns
    # (the Stambaugh setting): the equal-tailed p should reject at 5% in a plausible share of 60
    # samples, and not mostly on one side
    rejections, one_side = 0, 0
    idx = pd.period_range("2000-01", periods=300, freq="M")
    for k in range(60):
        d, x = _sim(n=300, rho=0.99, seed=100 + k)
        fit = inf.predictive_regression(pd.Series(d, index=idx), pd.Series(x, index=idx), h=24, draws=199, seed=k, min_train=60)
        if fit.p_bootstrap < 0.05:
            rejections += 1
            one_side += fit.estimate < 0
    assert rejections <= 8  # 5% of 60 is 3; more than 8 (13%) would be oversized
    assert one_side <= max(2, rejections - 1) or rejections <= 2  # not every false rejection on one side


def test_equal_tailed_p_and_kendall_correction():
    null = np.arange(1, 100)  # 99 draws 1..99
    assert inf.equal_tailed_p(null, 50) == 1.0  # the median: both tails hold half
    assert inf.equal_tailed_p(null, 0) == 2 * 1 / 100  # below every draw: (0 + 1) / 100 per tail
    assert inf.equal_tailed_p(null, 99) == 2 * 2 / 100
    assert inf.kendall_corrected(0.9, 100) == pytest.approx(0.9 + 3.7 / 100)
    assert inf.kendall_corrected(0.999, 100) == 1.0


def test_randomisation_draws_respect_the_minimum_gap():
    idx = pd.period_range("1990-01", periods=120, freq="M")
    outcome = pd.Series(np.arange(120.0), index=idx)
    rng = np.random.default_rng(0)
    picks = inf._spaced_draws(120, 4, 50, 12, np.array([p.ordinal for p in idx]), rng)
    assert picks.shape == (50, 4) and (np.diff(np.sort(picks, axis=1), axis=1) >= 12).all()
    res = inf.randomisation_test(outcome, list(idx[[0, 30, 60, 90]]), draws=500, seed=1, min_gap=12)
    assert res["k"] == 4 and 0 <= res["p_two_sided"] <= 1


def test_bootstrap_finds_a_planted_predictor():
    d, x = _sim(n=300, rho=0.9, beta=0.03, seed=11)
    idx = pd.period_range("1990-01", periods=300, freq="M")
    fit = inf.predictive_regression(pd.Series(d, index=idx), pd.Series(x, index=idx), h=12, draws=199, seed=1, min_train=60)
    assert fit.estimate > 0 and fit.p_bootstrap < 0.05 and fit.oos_r2 > 0
    assert fit.n_obs == 300 - 12


def test_oos_r2_of_the_expanding_mean_is_zero_and_windows_are_complete():
    y = np.array([1.0, 3.0, 2.0, 5.0, 4.0, 6.0, np.nan])
    x = np.arange(7.0)
    forecast, bench = inf.expanding_forecasts(x, y, h=2, min_train=2)
    # at t=3 only s <= 1 are complete: mean of y0, y1 = 2; slope through (0,1),(1,3) = 2 -> 1 + 2*3 = 7
    assert bench[3] == 2.0 and forecast[3] == pytest.approx(7.0)
    assert np.isnan(bench[2])  # one complete window at t=2: fewer than min_train
    assert inf.oos_r2(y, bench, bench) == 0.0


def test_randomisation_planted_effect_and_none():
    idx = pd.period_range("1990-01", periods=240, freq="M")
    rng = np.random.default_rng(0)
    outcome = pd.Series(rng.normal(0, 1, 240), index=idx)
    events = list(idx[[20, 60, 100, 140, 180, 220]])
    planted = outcome.copy()
    planted[events] += 3.0
    assert inf.randomisation_test(planted, events, draws=2000, seed=1)["p_two_sided"] < 0.01
    none = inf.randomisation_test(outcome, events, draws=2000, seed=1)
    assert none["p_two_sided"] > 0.1 and none["band_low"] < none["observed"] < none["band_high"]
    assert none["k"] == 6


def test_episode_evidence_counts_episodes_and_withholds_t():
    idx = pd.period_range("2000-01", periods=40, freq="M")
    flags = pd.Series(0.0, index=idx)
    flags.iloc[[2, 3, 4, 30, 31]] = 1.0  # two runs, 26 months apart
    outcome = pd.Series(np.arange(40.0), index=idx)
    ev = inf.episode_evidence(flags, outcome)
    assert list(ev["months"]) == [3, 2] and list(ev["mean_outcome"]) == [3.0, 30.5]
    assert ev.attrs == {"n_episodes": 2, "t_allowed": False}


def test_stance_is_symmetric_and_grid_shares():
    assert inf.stance(0.5, 0.01, +1) == "supports"
    assert inf.stance(-0.5, 0.01, +1) == "contradicts"
    assert inf.stance(-0.5, 0.01, -1) == "supports"
    assert inf.stance(0.5, 0.2, +1) == "inconclusive"
    assert inf.stance(0.5, float("nan"), +1) == "inconclusive"
    with pytest.raises(ValueError):
        inf.stance(0.5, 0.01, 0)
    grid = pd.DataFrame({"stance": ["supports", "contradicts", "inconclusive", "inconclusive"]})
    assert inf.grid_shares(grid) == {"supports": 0.25, "contradicts": 0.25, "inconclusive": 0.5}


def _spreads(n=360, seed=5, beta=0.0):
    idx = pd.period_range("1960-01", periods=n, freq="M")
    d, x = _sim(n=n, seed=seed, beta=beta)
    return {("A-B", "VW"): pd.Series(d, index=idx), ("A-B", "EW"): pd.Series(d * 1.1, index=idx)}, pd.Series(x, index=idx)


def test_predictive_grid_rows_columns_and_skipped_starts():
    spreads, x = _spreads()
    grid = inf.predictive_grid("valuation", spreads, x, ["1960-01", "1975-01", "1988-01"], [12, 36], -1,
                               pd.Period("1989-12", "M"), draws=19)
    # a specification needs 5 non-overlapping windows (n - h >= 5h): from 1960-01 (360 months) both
    # horizons; from 1975-01 (180 months) 12 months (168 >= 60) but not 36 (144 < 180); from 1988-01
    # (24 months) none. 2 spreads x 3 = 6 rows
    assert len(grid) == 6 and list(grid.columns[:13]) == inf.GRID_COLUMNS
    assert sorted(zip(grid["sample_start"], grid["horizon_months"]))[::2] == [("1960-01", 12), ("1960-01", 36), ("1975-01", 12)]
    assert grid["p_randomization"].isna().all() and grid["stance"].isin(inf.STANCES).all()
    assert (grid["ci_low"] < grid["ci_high"]).all()
    # the interval inverts the null distribution of the slope: it excludes 0 exactly when the
    # estimate lies outside the null's 2.5-97.5% range
    fit = inf.predictive_regression(spreads[("A-B", "VW")][spreads[("A-B", "VW")].index >= pd.Period("1960-01", "M")],
                                    x, 36, draws=19, seed=1)
    null = inf.null_bootstrap(*[s.to_numpy(float) for s in (spreads[("A-B", "VW")], x)], 36, 12 / 36, draws=19, seed=1)
    assert fit.ci_low == pytest.approx(fit.estimate - np.quantile(null["slope"], 0.975))


def test_event_grid_uses_only_complete_windows():
    spreads, _ = _spreads()
    events = ["1965-01", "1970-06", "1980-03", "1989-06"]
    grid = inf.event_grid("easing", spreads, events, ["1960-01"], [12], +1, pd.Period("1989-12", "M"), draws=200)
    # 1989-06 + 12 months runs past 1989-12: three events count
    assert (grid["n_episodes"] == 3).all() and len(grid) == 2
    d = spreads[("A-B", "VW")]
    want = np.mean([d[(d.index > pd.Period(e, "M")) & (d.index <= pd.Period(e, "M") + 12)].sum() for e in events[:3]])
    assert grid.iloc[0]["estimate"] == pytest.approx(want)


def test_vectorised_bootstrap_statistics_equal_the_single_sample_ones():
    rng = np.random.default_rng(4)
    d = rng.normal(0.01, 0.05, (5, 150))
    x = np.cumsum(rng.normal(0, 1, (5, 150)), axis=1)
    slopes, ts = inf.slopes_and_t_hodrick_many(d, x, 12, 1.0)
    for i in range(5):
        b, t, _ = inf._slope_and_t_hodrick(d[i], x[i], 12, 1.0)
        assert slopes[i] == pytest.approx(b, rel=1e-9) and ts[i] == pytest.approx(t, rel=1e-9)


def test_spaced_draws_are_uniform_over_the_allowed_sets():
    # 6 contiguous months, 2 picks at least 3 apart: the allowed sets are (0,3) (0,4) (0,5) (1,4)
    # (1,5) (2,5): six sets, each should come up about 1/6 of the time
    rng = np.random.default_rng(2)
    picks = inf._spaced_draws(6, 2, 6000, 3, np.arange(6), rng)
    sets, counts = np.unique(picks, axis=0, return_counts=True)
    assert [tuple(s) for s in sets] == [(0, 3), (0, 4), (0, 5), (1, 4), (1, 5), (2, 5)]
    assert (abs(counts / 6000 - 1 / 6) < 0.02).all()
