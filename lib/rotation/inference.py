"""Robust inference for the thesis claims: overlapping horizons, persistent predictors, few events.

Pure functions on numpy arrays and pandas frames; no I/O. Conventions: a *one-period* series
is a monthly log return difference d_t (decimal per month, e.g. log(1 + r_small) -
log(1 + r_large)); the *long-horizon* outcome at month t is the annualised sum over the next h
months, y_t = (12 / h) * (d_{t+1} + ... + d_{t+h}) (decimal per year); the predictor x_t is
known at the end of month t.

Methods and references:
* `newey_west_cov`   Newey and West (1987), Bartlett kernel, no small-sample correction.
* `hodrick_cov`      Hodrick (1992) standard errors "1B": the moment sum_t z_t y_t of the
                     overlapping regression is rewritten as sum_s eps_s (z_{s-1} + ... + z_{s-h}),
                     whose terms are serially uncorrelated under the null of no predictability,
                     so no lag window is needed; eps_s are the one-period residuals under the
                     null (d_s minus its mean). Hodrick, R. (1992), "Dividend yields and expected
                     stock returns", Review of Financial Studies 5(3).
* `null_bootstrap`   the predictor as a bias-corrected AR(1), (return, predictor) innovations resampled jointly
                     in moving blocks, returns rebuilt under the null of no predictability, the
                     slope and the Hodrick t computed as in the data, p equal-tailed: the null
                     distribution includes the small-sample bias of a persistent predictor whose shocks
                     correlate with returns (Stambaugh 1999, "Predictive regressions", JFE 54).
* `oos_r2`           out-of-sample R^2 against the expanding historical mean, using at each
                     forecast date only windows complete by then (Goyal and Welch 2008, RFS 21;
                     Campbell and Thompson 2008, RFS 21).
* `randomisation_test` the mean outcome after k events against means over k months drawn
                     without replacement from all eligible months (Fisher's randomisation).
* `episode_evidence` a conditional mean shown episode by episode; with fewer than
                     `MIN_EPISODES` distinct episodes no t-statistic is offered as evidence.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

MIN_EPISODES = 5
ALPHA = 0.05
GRID_COLUMNS = ["claim", "spread", "weighting", "sample_start", "horizon_months", "estimate", "t_nw", "t_hodrick",
                "p_bootstrap", "oos_r2", "p_randomization", "n_obs", "n_episodes"]
STANCES = ("supports", "contradicts", "inconclusive")


# ------------------------------------------------------------------ building blocks

def forward_sum(one_period: np.ndarray, h: int, scale: float = 1.0) -> np.ndarray:
    """y_t = scale * (d_{t+1} + ... + d_{t+h}) along the last axis; NaN where the window runs past
    the end or holds a NaN."""
    d = np.asarray(one_period, dtype=float)
    n = d.shape[-1]
    out = np.full(d.shape, np.nan)
    if n <= h:
        return out
    c = np.concatenate([np.zeros(d.shape[:-1] + (1,)), np.cumsum(d, axis=-1)], axis=-1)  # c[i] = d_0..d_{i-1}
    # sum d_{t+1..t+h} = c[t+h+1] - c[t+1]
    out[..., : n - h] = scale * (c[..., h + 1:] - c[..., 1: n - h + 1])
    return out


def ols(z: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """OLS coefficients, residuals and (Z'Z)^-1 for a design `z` (n x k) and outcome `y` (n)."""
    zz_inv = np.linalg.inv(z.T @ z)
    beta = zz_inv @ z.T @ y
    return beta, y - z @ beta, zz_inv


def newey_west_cov(z: np.ndarray, resid: np.ndarray, lags: int) -> np.ndarray:
    """Newey-West (1987) covariance of OLS coefficients: (Z'Z)^-1 S (Z'Z)^-1 with
    S = sum_j w_j (G_j + G_j'), G_j = sum_t g_t g_{t-j}', g_t = z_t e_t, w_j = 1 - j/(lags+1)."""
    g = z * resid[:, None]
    s = g.T @ g
    for j in range(1, lags + 1):
        gj = g[j:].T @ g[:-j]
        s += (1 - j / (lags + 1)) * (gj + gj.T)
    zz_inv = np.linalg.inv(z.T @ z)
    return zz_inv @ s @ zz_inv


def hodrick_cov(z_monthly: np.ndarray, in_sample: np.ndarray, eps: np.ndarray, h: int, scale: float) -> np.ndarray:
    """Hodrick (1992) 1B covariance of the coefficients of an overlapping regression.

    On a complete monthly grid of length T: `z_monthly` (T x k) the regressors at each month,
    `in_sample` (T, bool) the months t that enter the regression (predictor known, outcome
    window complete), `eps` (T) the one-period residuals under the null (NaN where missing).
    With Z the in-sample rows, V = (Z'Z)^-1 [sum_s (scale eps_s)^2 q_s q_s'] (Z'Z)^-1 where
    q_s = sum of z_t over in-sample t with s-h <= t <= s-1."""
    zin = np.where(in_sample[:, None], z_monthly, 0.0)
    c = np.vstack([np.zeros((1, zin.shape[1])), np.cumsum(zin, axis=0)])  # c[i] = sum z_0..z_{i-1}
    t = np.arange(len(eps))
    lo, hi = np.clip(t - h, 0, None), t  # sum over t' in [s-h, s-1] = c[s] - c[s-h]
    q = c[hi] - c[lo]
    ok = ~np.isnan(eps)
    w = (scale * eps[ok]) ** 2
    meat = (q[ok] * w[:, None]).T @ q[ok]
    z = z_monthly[in_sample]
    zz_inv = np.linalg.inv(z.T @ z)
    return zz_inv @ meat @ zz_inv


# ------------------------------------------------------------------ predictive regressions

@dataclass(frozen=True)
class Predictive:
    """One long-horizon predictive regression y_t = a + b x_t (see module docstring)."""

    estimate: float        # b, decimal per year per unit of x
    se_nw: float
    t_nw: float
    se_hodrick: float
    t_hodrick: float
    p_bootstrap: float     # equal-tailed two-sided p of the Hodrick t against its null distribution
    null_mean_slope: float  # mean b under the null: the small-sample bias (Stambaugh)
    oos_r2: float
    n_obs: int
    horizon_months: int
    draws: int
    ci_low: float = float("nan")   # 95% interval from the null bootstrap (test inversion on the slope)
    ci_high: float = float("nan")


def _aligned(one_period: pd.Series, predictor: pd.Series) -> tuple[pd.PeriodIndex, np.ndarray, np.ndarray]:
    """Both series on the complete monthly grid from the first to the last month either covers."""
    d = one_period.copy()
    x = predictor.copy()
    for s in (d, x):
        if not isinstance(s.index, pd.PeriodIndex):
            s.index = pd.PeriodIndex(s.index, freq="M")
    first = max(d.dropna().index.min(), x.dropna().index.min())
    last = max(d.dropna().index.max(), x.dropna().index.max())
    grid = pd.period_range(first, last, freq="M")
    return grid, d.reindex(grid).to_numpy(float), x.reindex(grid).to_numpy(float)


def _slope_and_t_hodrick(d: np.ndarray, x: np.ndarray, h: int, scale: float) -> tuple[float, float, np.ndarray]:
    y = forward_sum(d, h, scale)
    ins = ~np.isnan(y) & ~np.isnan(x)
    z_all = np.column_stack([np.ones_like(x), np.nan_to_num(x)])
    beta, resid, _ = ols(z_all[ins], y[ins])
    eps = d - np.nanmean(d[~np.isnan(d)])
    v = hodrick_cov(z_all, ins, eps, h, scale)
    return float(beta[1]), float(beta[1] / np.sqrt(v[1, 1])), ins


def predictive_regression(one_period: pd.Series, predictor: pd.Series, h: int, scale: float | None = None,
                          nw_lags: int | None = None, draws: int = 199, block: int = 12, seed: int = 0,
                          min_train: int = 120) -> Predictive:
    """The regression of the annualised next-`h`-month sum of `one_period` (decimal per month)
    on `predictor`, with Newey-West (lags = h unless given) and Hodrick (1992) t-statistics, the
    null-bootstrap p-value (`draws` draws, `block`-month blocks, `seed`) and the out-of-sample
    R^2 (first forecast once `min_train` complete windows exist). `scale` defaults to 12 / h."""
    scale = 12.0 / h if scale is None else scale
    grid, d, x = _aligned(one_period, predictor)
    y = forward_sum(d, h, scale)
    b, t_h, ins = _slope_and_t_hodrick(d, x, h, scale)
    z = np.column_stack([np.ones(ins.sum()), x[ins]])
    _, resid, _ = ols(z, y[ins])
    v_nw = newey_west_cov(z, resid, h if nw_lags is None else nw_lags)
    se_nw = float(np.sqrt(v_nw[1, 1]))
    se_h = abs(b / t_h) if t_h else float("nan")
    null = null_bootstrap(d, x, h, scale, draws=draws, block=block, seed=seed) if draws else None
    p = equal_tailed_p(null["t"], t_h) if null is not None else float("nan")
    lo, hi = ((b - float(np.quantile(null["slope"], 0.975)), b - float(np.quantile(null["slope"], 0.025)))
              if null is not None else (float("nan"), float("nan")))
    return Predictive(estimate=b, se_nw=se_nw, t_nw=b / se_nw, se_hodrick=se_h, t_hodrick=t_h, p_bootstrap=p,
                      null_mean_slope=float(np.mean(null["slope"])) if null is not None else float("nan"),
                      oos_r2=predictive_oos_r2(x, y, h, min_train), n_obs=int(ins.sum()), horizon_months=h,
                      draws=int(draws), ci_low=lo, ci_high=hi)


def equal_tailed_p(null: np.ndarray, observed: float) -> float:
    """Two-sided p-value of `observed` against a simulated null distribution, equal-tailed:
    2 x min(P(null <= observed), P(null >= observed)), each tail counted as (c + 1) / (B + 1)
    (Davison and Hinkley 1997), capped at 1. Unlike |t*| >= |t|, it stays symmetric when the
    null distribution is not centred on zero (a persistent predictor's small-sample bias)."""
    null = np.asarray(null, dtype=float)
    b = len(null)
    lower = (np.sum(null <= observed) + 1) / (b + 1)
    upper = (np.sum(null >= observed) + 1) / (b + 1)
    return float(min(1.0, 2 * min(lower, upper)))


def kendall_corrected(rho: float, n: int) -> float:
    """AR(1) coefficient corrected for its small-sample bias, rho + (1 + 3 rho) / n (Kendall 1954),
    capped at 1 (a random walk, never explosive)."""
    return float(min(rho + (1 + 3 * rho) / n, 1.0))


def ar1(x: np.ndarray) -> tuple[float, float, np.ndarray]:
    """OLS fit x_t = c + rho x_{t-1} + u_t on consecutive non-missing pairs: (c, rho, u) with
    u aligned to x (NaN where not defined)."""
    prev, cur = x[:-1], x[1:]
    ok = ~np.isnan(prev) & ~np.isnan(cur)
    beta, _, _ = ols(np.column_stack([np.ones(ok.sum()), prev[ok]]), cur[ok])
    u = np.full_like(x, np.nan)
    u[1:][ok] = cur[ok] - beta[0] - beta[1] * prev[ok]
    return float(beta[0]), float(beta[1]), u


def null_bootstrap(d: np.ndarray, x: np.ndarray, h: int, scale: float, draws: int = 199, block: int = 12,
                   seed: int = 0) -> dict:
    """Null distribution of the slope and Hodrick t of the overlapping regression.

    Under the null, d_t = mean + eps_t; the predictor follows an AR(1) whose coefficient is the
    OLS estimate corrected for its downward small-sample bias (`kendall_corrected`; using the
    biased estimate as the truth would understate persistence and so the bias of the slope).
    Pairs (eps_t, u_t), u from the corrected AR(1), are resampled jointly in moving blocks of
    `block` months (keeping their correlation and short-run dependence); x* starts from the
    observed first value, d* = mean + eps*. Returns {"slope": array, "t": array, "rho": the
    corrected rho, "rho_ols": the OLS rho}. Seeded: the same seed gives the same draws. Needs a
    contiguous sample (no gaps inside)."""
    ok_x = np.flatnonzero(~np.isnan(x))
    ok_d = np.flatnonzero(~np.isnan(d))
    lo, hi = max(ok_x[0], ok_d[0]), min(ok_x[-1], ok_d[-1]) + 1
    d, x = d[lo:hi], x[lo:hi]
    if np.isnan(d).any() or np.isnan(x).any():
        raise ValueError("null_bootstrap needs a contiguous sample: a month inside the sample is missing")
    _, rho_ols, _ = ar1(x)
    rho = kendall_corrected(rho_ols, len(x))
    c = 0.0 if rho >= 1.0 else float(x.mean() * (1 - rho))
    u = np.full_like(x, np.nan)
    u[1:] = x[1:] - c - rho * x[:-1]
    mu = d.mean()
    eps = d - mu
    pairs = np.column_stack([eps[1:], u[1:]])  # months 1..n-1 have both
    n = len(d)
    m = len(pairs)
    block = max(1, min(block, m))
    rng = np.random.default_rng(seed)
    n_blocks = int(np.ceil(n / block))
    starts = rng.integers(0, m - block + 1, size=(draws, n_blocks))
    idx = (starts[:, :, None] + np.arange(block)[None, None, :]).reshape(draws, -1)[:, :n]
    e_star, u_star = pairs[idx, 0], pairs[idx, 1]
    x_star = np.empty((draws, n))
    x_star[:, 0] = x[0]
    for t in range(1, n):
        x_star[:, t] = c + rho * x_star[:, t - 1] + u_star[:, t]
    d_star = mu + e_star
    slopes, ts = slopes_and_t_hodrick_many(d_star, x_star, h, scale)
    return {"slope": slopes, "t": ts, "rho": rho, "rho_ols": rho_ols}


def slopes_and_t_hodrick_many(d: np.ndarray, x: np.ndarray, h: int, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """`_slope_and_t_hodrick` for many complete samples at once: `d` and `x` are (draws x n)
    with no missing values; returns the slopes and Hodrick t-statistics (one per row). The
    regression months are 0..n-h-1 in every row (the outcome window must be complete)."""
    draws, n = d.shape
    y = forward_sum(d, h, scale)[:, : n - h]
    xs = x[:, : n - h]
    m = n - h
    sx, sy = xs.sum(1), y.sum(1)
    sxx, sxy = (xs * xs).sum(1), (xs * y).sum(1)
    det = m * sxx - sx * sx                       # det of Z'Z = [[m, sx], [sx, sxx]]
    slope = (m * sxy - sx * sy) / det
    # q_s = sum of z_t over regression months t in [s-h, s-1]: constant part and x part
    in_sample = np.arange(n) < m
    ones = in_sample.astype(float)
    c1 = np.concatenate([[0.0], np.cumsum(ones)])
    cx = np.concatenate([np.zeros((draws, 1)), np.cumsum(np.where(in_sample, x, 0.0), axis=1)], axis=1)
    s = np.arange(n)
    lo = np.clip(s - h, 0, None)
    q1 = c1[s] - c1[lo]                            # (n,)
    qx = cx[:, s] - cx[:, lo]                      # (draws, n)
    eps = d - d.mean(axis=1, keepdims=True)
    w = (scale * eps) ** 2
    m11, m12, m22 = (w * q1 * q1).sum(1), (w * q1 * qx).sum(1), (w * qx * qx).sum(1)
    # V = A^-1 M A^-1 with A^-1 = [[sxx, -sx], [-sx, m]] / det; the slope's variance is its [1, 1] entry
    a10, a11 = -sx / det, m / det
    var_b = a10 * a10 * m11 + 2 * a10 * a11 * m12 + a11 * a11 * m22
    return slope, slope / np.sqrt(var_b)


def oos_r2(actual: np.ndarray, forecast: np.ndarray, benchmark: np.ndarray) -> float:
    """1 - sum (actual - forecast)^2 / sum (actual - benchmark)^2 over the entries where all
    three exist (Campbell-Thompson 2008): positive when the forecast beats the benchmark."""
    a, f, b = (np.asarray(v, dtype=float) for v in (actual, forecast, benchmark))
    ok = ~np.isnan(a) & ~np.isnan(f) & ~np.isnan(b)
    den = np.sum((a[ok] - b[ok]) ** 2)
    return float(1 - np.sum((a[ok] - f[ok]) ** 2) / den) if ok.any() and den > 0 else float("nan")


def expanding_forecasts(x: np.ndarray, y: np.ndarray, h: int, min_train: int = 120) -> tuple[np.ndarray, np.ndarray]:
    """At each month t: the OLS forecast a + b x_t and the historical mean, both fitted on the
    pairs (x_s, y_s) with s <= t - h (windows complete by t). NaN until `min_train` pairs exist."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    ok = ~np.isnan(x) & ~np.isnan(y)
    xs, ys = np.where(ok, x, 0.0), np.where(ok, y, 0.0)
    cum = {k: np.concatenate([[0.0], np.cumsum(v)]) for k, v in
           {"n": ok.astype(float), "x": xs, "y": ys, "xx": xs * xs, "xy": xs * ys}.items()}
    t = np.arange(len(x))
    end = np.clip(t - h + 1, 0, None)  # pairs s = 0 .. t-h  -> cumulative index t-h+1
    n, sx, sy, sxx, sxy = (cum[k][end] for k in ("n", "x", "y", "xx", "xy"))
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_y = sy / n
        var_x = sxx - sx * sx / n
        b = (sxy - sx * sy / n) / var_x
        a = mean_y - b * sx / n
    enough = n >= max(min_train, 2)
    forecast = np.where(enough & ~np.isnan(x), a + b * x, np.nan)
    bench = np.where(enough, mean_y, np.nan)
    return forecast, bench


def predictive_oos_r2(x: np.ndarray, y: np.ndarray, h: int, min_train: int = 120) -> float:
    """Out-of-sample R^2 of the expanding predictive regression against the expanding mean
    (Goyal-Welch 2008): only windows complete at each forecast date are used to fit."""
    forecast, bench = expanding_forecasts(x, y, h, min_train)
    return oos_r2(y, forecast, bench)


# ------------------------------------------------------------------ few events and episodes

def _spaced_draws(n: int, k: int, draws: int, min_gap: int, positions: np.ndarray, rng) -> np.ndarray:
    """`draws` sets of k distinct indices into `positions` (month numbers, sorted) whose months
    are pairwise at least `min_gap` apart (rejection sampling in batches)."""
    if min_gap <= 0 or k == 1:
        return np.array([rng.choice(n, size=k, replace=False) for _ in range(draws)])
    slack = (k - 1) * (min_gap - 1)
    if len(positions) == n and n and positions[-1] - positions[0] == n - 1 and n - slack >= k:
        # contiguous months: a uniform k-subset of n - slack slots, spread out by (gap - 1) after
        # each pick, is a uniform draw among all sets whose members are min_gap apart
        base = np.sort(np.argsort(rng.random((draws, n - slack)), axis=1)[:, :k], axis=1)
        return base + np.arange(k) * (min_gap - 1)
    out: list[np.ndarray] = []
    for _ in range(200):
        cand = np.sort(np.argsort(rng.random((max(draws, 100) * 4, n)), axis=1)[:, :k], axis=1)
        gaps = np.diff(positions[cand], axis=1)
        out.extend(cand[(gaps >= min_gap).all(axis=1)])
        if len(out) >= draws:
            return np.array(out[:draws])
    raise ValueError(f"cannot draw {k} months at least {min_gap} months apart from {n} eligible months")


def randomisation_test(outcome: pd.Series, events, draws: int = 2000, seed: int = 0, min_gap: int = 0) -> dict:
    """The mean `outcome` over the event months against means over the same number of months
    drawn without replacement from every month with an outcome (the eligible months); with
    `min_gap`, only sets of months pairwise at least that many months apart are drawn (as the
    events themselves are, e.g. first cuts of easing cycles, 12 months apart by construction).

    Returns k (events with an outcome), observed mean, null mean, the 2.5-97.5% band of the
    drawn means, p_two_sided (share of draws at least as far from the null mean as observed),
    p_greater and p_less (one-sided). Seeded."""
    s = outcome.dropna()
    ev = [e for e in events if e in s.index]
    k = len(ev)
    if k == 0 or len(s) <= k:
        return {"k": k, "observed": float("nan"), "null_mean": float("nan"), "band_low": float("nan"),
                "band_high": float("nan"), "p_two_sided": float("nan"), "p_greater": float("nan"), "p_less": float("nan")}
    vals = s.to_numpy(float)
    observed = float(s.loc[ev].mean())
    rng = np.random.default_rng(seed)
    positions = np.array([p.ordinal for p in pd.PeriodIndex(s.index, freq="M")])
    means = vals[_spaced_draws(len(vals), k, draws, min_gap, positions, rng)].mean(axis=1)
    centre = float(vals.mean())
    return {"k": k, "observed": observed, "null_mean": centre,
            "band_low": float(np.quantile(means, 0.025)), "band_high": float(np.quantile(means, 0.975)),
            "p_two_sided": float(np.mean(np.abs(means - centre) >= abs(observed - centre) - 1e-15)),
            "p_greater": float(np.mean(means >= observed - 1e-15)), "p_less": float(np.mean(means <= observed + 1e-15))}


def episodes_of(flags: pd.Series, gap_months: int = 12) -> list[tuple[pd.Period, pd.Period]]:
    """Runs of flagged months (value 1/True) as (first, last) Periods: a flagged month at most
    `gap_months` months after the previous flagged one (e.g. 12 months: 2000-02 and 2001-02)
    joins its episode; one more than `gap_months` months after it starts a new one."""
    months = [p for p, v in flags.items() if v == 1]
    out: list[tuple[pd.Period, pd.Period]] = []
    for p in months:
        if out and (p - out[-1][1]).n <= gap_months:
            out[-1] = (out[-1][0], p)
        else:
            out.append((p, p))
    return out


def episode_evidence(flags: pd.Series, outcome: pd.Series, gap_months: int = 12) -> pd.DataFrame:
    """A conditional mean shown episode by episode: for each run of flagged months with an
    outcome (merged as in `episodes_of`), its first and last month, months, mean, first and
    last outcome. `attrs["n_episodes"]` and `attrs["t_allowed"]` (n_episodes >= MIN_EPISODES):
    below that no t-statistic is evidence, the episodes are."""
    both = pd.concat([flags.rename("flag"), outcome.rename("outcome")], axis=1, join="inner").dropna()
    eps = episodes_of(both["flag"], gap_months)
    rows = []
    for a, b in eps:
        seg = both.loc[(both.index >= a) & (both.index <= b)]
        seg = seg[seg["flag"] == 1]
        rows.append({"first": str(a), "last": str(b), "months": len(seg), "mean_outcome": seg["outcome"].mean(),
                     "outcome_first": seg["outcome"].iloc[0], "outcome_last": seg["outcome"].iloc[-1]})
    out = pd.DataFrame(rows, columns=["first", "last", "months", "mean_outcome", "outcome_first", "outcome_last"])
    out.attrs = {"n_episodes": len(out), "t_allowed": len(out) >= MIN_EPISODES}
    return out


# ------------------------------------------------------------------ stances and grids

def stance(estimate: float, p: float, direction: int, alpha: float = ALPHA) -> str:
    """Whether one specification supports the article's claim: 'supports' when the estimate has
    the article's sign (`direction` +1 or -1) and the robust p-value is below `alpha`,
    'contradicts' when it has the opposite sign with p below `alpha`, else 'inconclusive'
    (including a missing p). Fixed before any result is seen; symmetric."""
    if direction not in (1, -1):
        raise ValueError(f"direction must be +1 or -1, got {direction!r}")
    if estimate is None or p is None or np.isnan(estimate) or np.isnan(p) or p >= alpha or estimate == 0:
        return "inconclusive"
    return "supports" if np.sign(estimate) == direction else "contradicts"


def grid_shares(grid: pd.DataFrame) -> dict[str, float]:
    """Share (0-1) of the specifications in `grid` (column `stance`) that support, contradict or
    are inconclusive about the claim."""
    n = len(grid)
    counts = grid["stance"].value_counts() if n else pd.Series(dtype=int)
    return {s: (float(counts.get(s, 0)) / n if n else float("nan")) for s in STANCES}


# ------------------------------------------------------------------ specification grids

def log_spread(returns: pd.DataFrame, small: str, large: str) -> pd.Series:
    """Monthly log return difference log(1 + r_small) - log(1 + r_large) (decimal per month)
    of two columns of simple returns (decimal per month): the one-period series of the grids."""
    return (np.log1p(returns[small]) - np.log1p(returns[large])).rename(f"{small}-{large}")


def _clip_months(s: pd.Series, first: pd.Period, last: pd.Period) -> pd.Series:
    idx = s.index if isinstance(s.index, pd.PeriodIndex) else pd.PeriodIndex(s.index, freq="M")
    out = s.copy()
    out.index = idx
    return out[(out.index >= first) & (out.index <= last)]


def predictive_grid(claim: str, spreads: dict, predictor: pd.Series, starts, horizons, direction: int,
                    as_of_month: pd.Period, draws: int = 199, seed: int = 0, min_windows: int = MIN_EPISODES,
                    min_train: int = 120) -> pd.DataFrame:
    """One predictive regression per (spread, weighting) x sample start x horizon.

    `spreads` maps (spread name, weighting) to a one-period log spread (decimal per month);
    `predictor` is known at each month end; every series is cut to start..`as_of_month`, so
    only windows complete by then count. `direction` is the slope sign the article's claim
    implies. Rows: the `GRID_COLUMNS` plus `se_hodrick`, `ci_low`, `ci_high` (95% interval from
    the null bootstrap) and `stance` (`stance` on the bootstrap p). A specification whose sample
    holds fewer than `min_windows` non-overlapping h-month windows is skipped. Each
    specification draws with its own seed (`seed` + its position), so simulation noise is not
    shared across the grid."""
    rows = []
    spec = 0
    for (name, weighting), d in spreads.items():
        for start in starts:
            start = pd.Period(start, "M")
            dd = _clip_months(d.dropna(), start, as_of_month)
            xx = _clip_months(predictor.dropna(), start, as_of_month)
            if dd.empty or xx.empty:
                continue
            for h in horizons:
                if len(dd) - h < min_windows * h:
                    continue
                spec += 1
                fit = predictive_regression(dd, xx, h, draws=draws, seed=seed + spec, min_train=min_train)
                rows.append({"claim": claim, "spread": name, "weighting": weighting,
                             "sample_start": str(max(start, dd.index.min(), xx.index.min())),
                             "horizon_months": h, "estimate": fit.estimate, "t_nw": fit.t_nw,
                             "t_hodrick": fit.t_hodrick, "p_bootstrap": fit.p_bootstrap, "oos_r2": fit.oos_r2,
                             "p_randomization": np.nan, "n_obs": fit.n_obs, "n_episodes": np.nan,
                             "se_hodrick": fit.se_hodrick, "ci_low": fit.ci_low, "ci_high": fit.ci_high,
                             "stance": stance(fit.estimate, fit.p_bootstrap, direction)})
    return pd.DataFrame(rows, columns=GRID_COLUMNS + ["se_hodrick", "ci_low", "ci_high", "stance"])


def forward_cumulative(one_period: pd.Series, h: int) -> pd.Series:
    """Cumulative log spread over the `h` months after each month: d_{t+1} + ... + d_{t+h}
    (decimal; NaN where the window is incomplete)."""
    s = one_period.copy()
    if not isinstance(s.index, pd.PeriodIndex):
        s.index = pd.PeriodIndex(s.index, freq="M")
    grid = pd.period_range(s.index.min(), s.index.max(), freq="M")
    s = s.reindex(grid)
    return pd.Series(forward_sum(s.to_numpy(float), h), index=grid, name=s.name)


def event_grid(claim: str, spreads: dict, events, starts, horizons, direction: int, as_of_month: pd.Period,
               draws: int = 2000, seed: int = 0, min_gap: int = 0) -> pd.DataFrame:
    """One event study per (spread, weighting) x sample start x horizon: the mean cumulative log
    spread over the `h` months after each event month (events from the sample start whose
    window is complete by `as_of_month`) against the randomisation distribution over all
    eligible months of the same sample (`randomisation_test`). Rows: `GRID_COLUMNS` plus
    `band_low`, `band_high` (2.5-97.5% of the randomised means), `ci_low`/`ci_high` (NaN) and
    `stance` on the two-sided randomisation p; `n_episodes` = events used; `min_gap` as in
    `randomisation_test`."""
    rows = []
    for (name, weighting), d in spreads.items():
        for start in starts:
            start = pd.Period(start, "M")
            dd = _clip_months(d.dropna(), start, as_of_month)
            if dd.empty:
                continue
            for h in horizons:
                outcome = forward_cumulative(dd, h)
                ev = [pd.Period(e, "M") for e in events if start <= pd.Period(e, "M") <= as_of_month]
                test = randomisation_test(outcome, ev, draws=draws, seed=seed, min_gap=min_gap)
                if test["k"] == 0:
                    continue
                rows.append({"claim": claim, "spread": name, "weighting": weighting,
                             "sample_start": str(max(start, dd.index.min())), "horizon_months": h,
                             "estimate": test["observed"], "t_nw": np.nan, "t_hodrick": np.nan, "p_bootstrap": np.nan,
                             "oos_r2": np.nan, "p_randomization": test["p_two_sided"],
                             "n_obs": int(outcome.notna().sum()), "n_episodes": test["k"],
                             "band_low": test["band_low"], "band_high": test["band_high"],
                             "ci_low": np.nan, "ci_high": np.nan,
                             "stance": stance(test["observed"], test["p_two_sided"], direction)})
    return pd.DataFrame(rows, columns=GRID_COLUMNS + ["band_low", "band_high", "ci_low", "ci_high", "stance"])


# ------------------------------------------------------------------ means and single-driver fits (issue 14)

def normal_two_sided_p(t: float) -> float:
    """Two-sided p-value of a t-statistic read against the standard normal (large-sample rule:
    |t| >= 1.96 <-> p <= 0.05); NaN for a NaN t."""
    return float(math.erfc(abs(t) / math.sqrt(2.0))) if t == t else float("nan")


def mean_newey_west(series: pd.Series, lags: int, small_sample: bool = False) -> dict:
    """The mean of a (monthly) series with its Newey-West (1987) standard error: OLS of the
    series on a constant, `newey_west_cov` with `lags` lags (Bartlett kernel), the t read against
    the normal (`normal_two_sided_p`). `small_sample` scales the variance by n / (n - 1) (the
    correction statsmodels applies with `use_correction`; at 0 lags the t is then the ordinary t
    of the mean). Missing values are dropped. Returns mean (units of the series, e.g. decimal per
    month), se, t, p, n, first and last (index labels of the first and last observation used;
    None when empty); NaN figures with fewer than three observations."""
    s = series.dropna()
    n = len(s)
    if n < 3:
        return {"mean": float("nan"), "se": float("nan"), "t": float("nan"), "p": float("nan"), "n": n,
                "first": s.index[0] if n else None, "last": s.index[-1] if n else None}
    y = s.to_numpy(float)
    z = np.ones((n, 1))
    beta, resid, _ = ols(z, y)
    se = float(np.sqrt(newey_west_cov(z, resid, lags)[0, 0] * (n / (n - 1) if small_sample else 1.0)))
    t = float(beta[0] / se) if se > 0 else float("nan")
    return {"mean": float(beta[0]), "se": se, "t": t, "p": normal_two_sided_p(t), "n": n,
            "first": s.index[0], "last": s.index[-1]}


def single_driver_fits(y: pd.Series, drivers: pd.DataFrame, lags: int) -> pd.DataFrame:
    """How much of `y`'s variation each candidate driver explains on its own: one OLS of `y` on
    a constant and one column of `drivers`, all on the common sample (the index labels where
    `y` and every driver have a value, so the R²s compare like with like). Per driver (index):
    slope (units of y per unit of the driver), t_nw (Newey-West, `lags` lags, no small-sample
    correction), p_nw (two-sided, normal), r2 (1 - SSR / SST, 0-1; the squared correlation) and
    n_obs. `attrs` first and last: the first and last label of the common sample (None when it
    is empty). A driver that does not vary on the sample gets NaN figures. R² describes
    co-movement, not a causal share of variance."""
    both = pd.concat([y.rename("__y"), drivers], axis=1, join="inner").dropna()
    rows = {}
    for name in drivers.columns:
        x = both[name].to_numpy(float)
        yy = both["__y"].to_numpy(float)
        n = len(yy)
        if n < 3 or np.ptp(x) == 0:
            rows[name] = {"slope": np.nan, "t_nw": np.nan, "p_nw": np.nan, "r2": np.nan, "n_obs": n}
            continue
        z = np.column_stack([np.ones(n), x])
        beta, resid, _ = ols(z, yy)
        se = float(np.sqrt(newey_west_cov(z, resid, lags)[1, 1]))
        t = float(beta[1] / se) if se > 0 else float("nan")
        sst = float(np.sum((yy - yy.mean()) ** 2))
        rows[name] = {"slope": float(beta[1]), "t_nw": t, "p_nw": normal_two_sided_p(t),
                      "r2": 1.0 - float(np.sum(resid ** 2)) / sst if sst > 0 else np.nan, "n_obs": n}
    out = pd.DataFrame.from_dict(rows, orient="index", columns=["slope", "t_nw", "p_nw", "r2", "n_obs"])
    out.index.name = "driver"
    out.attrs = {"first": both.index[0] if len(both) else None, "last": both.index[-1] if len(both) else None}
    return out
