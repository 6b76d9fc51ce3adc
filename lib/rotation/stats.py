"""Regression helpers: OLS with Newey-West (HAC) standard errors."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm


@dataclass(frozen=True)
class Fit:
    """One regression: coefficients, HAC standard errors, t-statistics, n, R^2, lags."""

    params: pd.Series
    bse: pd.Series
    tvalues: pd.Series
    nobs: int
    rsquared: float
    lags: int

    def conf_int(self, z: float = 1.96) -> pd.DataFrame:
        return pd.DataFrame({"low": self.params - z * self.bse, "high": self.params + z * self.bse})

    def table(self) -> pd.DataFrame:
        ci = self.conf_int()
        return pd.DataFrame({"coef": self.params, "se (NW)": self.bse, "t": self.tvalues,
                             "ci_low": ci["low"], "ci_high": ci["high"]})


def ols_newey_west(y: pd.Series, X: pd.DataFrame | pd.Series, lags: int, const: bool = True) -> Fit:
    """OLS of `y` on `X` (aligned by index, rows with any NaN dropped) with Newey-West
    standard errors using `lags` lags (Bartlett kernel)."""
    X = X.to_frame() if isinstance(X, pd.Series) else X
    df = pd.concat([y.rename("__y"), X], axis=1, join="inner").dropna()
    if len(df) <= X.shape[1] + 2:
        raise ValueError(f"too few observations ({len(df)}) for a regression on {list(X.columns)}")
    exog = sm.add_constant(df[X.columns], has_constant="add") if const else df[X.columns]
    res = sm.OLS(df["__y"].to_numpy(dtype=float), exog.astype(float)).fit(
        cov_type="HAC", cov_kwds={"maxlags": int(lags), "use_correction": True})
    names = list(exog.columns)
    return Fit(params=pd.Series(np.asarray(res.params), index=names),
               bse=pd.Series(np.asarray(res.bse), index=names),
               tvalues=pd.Series(np.asarray(res.tvalues), index=names),
               nobs=int(res.nobs), rsquared=float(res.rsquared), lags=int(lags))
