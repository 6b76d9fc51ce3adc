"""All plotting: one seaborn theme, shading of recessions and named episodes, source lines.

Every figure gets a title, axis labels with units and a source line via `finish`.
"""
from __future__ import annotations


import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from .episodes import episode_periods, recession_spans

PALETTE = sns.color_palette("deep")
SMALL, LARGE, NEUTRAL = PALETTE[0], PALETTE[3], "0.35"


def use_theme() -> None:
    """The one theme of the collection (call once at the top of a notebook)."""
    sns.set_theme(context="notebook", style="whitegrid", palette="deep",
                  rc={"figure.figsize": (10, 4.2), "figure.dpi": 96, "axes.titleweight": "bold",
                      "axes.titlesize": 12, "axes.labelsize": 10, "legend.fontsize": 9,
                      "savefig.bbox": "tight"})
    titled_figures()


def figure_title(fig) -> str:
    """A figure's title as text: its suptitle, else the first axes title found (centre, left,
    right), else ''."""
    if title := fig.get_suptitle().strip():
        return title
    for ax in fig.axes:
        for loc in ("center", "left", "right"):
            if title := ax.get_title(loc).strip():
                return title
    return ""


def titled_figures() -> None:
    """In a notebook, every figure shown carries its title (`figure_title`) as `alt` in its
    `image/png` output's metadata; the report template makes that the image's alt text. Wraps the
    inline backend's PNG printer once (loading the backend now when no figure is open: it
    registers that printer when it loads); outside IPython, or without that printer, nothing
    changes."""
    from IPython import get_ipython
    from matplotlib.figure import Figure

    shell = get_ipython()
    if shell is None:
        return
    if not plt.get_fignums():
        plt.switch_backend(plt.get_backend())
    png = shell.display_formatter.formatters["image/png"]
    try:
        printer = png.lookup_by_type(Figure)
    except KeyError:
        return
    if getattr(printer, "titled", False):
        return

    def titled(fig):
        data = printer(fig)
        title = figure_title(fig)
        return (data, {"alt": title}) if data is not None and title else data

    titled.titled = True
    png.for_type(Figure, titled)


def _x(index) -> pd.DatetimeIndex:
    if isinstance(index, pd.PeriodIndex):
        return index.to_timestamp(how="start")
    return pd.DatetimeIndex(index)


def shade(ax, recessions: pd.Series | None = None, episodes: dict | None | bool = None,
          start=None, end=None) -> None:
    """Shade NBER recessions (grey) and named episodes (coloured, labelled) on a time axis,
    clipped to [start, end]."""
    lo = pd.Timestamp(start) if start is not None else None
    hi = pd.Timestamp(end) if end is not None else None
    if recessions is not None:
        first = True
        for a, b in recession_spans(recessions):
            if (hi is not None and a > hi) or (lo is not None and b < lo):
                continue
            ax.axvspan(a, b, color="0.85", zorder=0, lw=0, label="NBER recession" if first else None)
            first = False
    if episodes:
        eps = episode_periods(None if episodes is True else episodes)
        colours = sns.color_palette("pastel", len(eps))
        for (name, (a, b)), c in zip(eps.items(), colours):
            a_ts, b_ts = a.to_timestamp(how="start"), b.to_timestamp(how="end")
            if (hi is not None and a_ts > hi) or (lo is not None and b_ts < lo):
                continue
            if hi is not None:
                b_ts = min(b_ts, hi)
            ax.axvspan(a_ts, b_ts, color=c, alpha=0.45, zorder=0, lw=0)
            ax.text(a_ts, 0.98, name, transform=ax.get_xaxis_transform(), fontsize=8,
                    va="top", ha="left", color="0.25", rotation=0)


def finish(ax, title: str, ylabel: str, source: str, xlabel: str = "") -> None:
    """Title, axis labels (with units) and the source line under the figure."""
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.set_xlabel(xlabel)
    fig = ax.figure
    fig.text(0.01, -0.02, f"Source: {source}", fontsize=8, color="0.35", ha="left", va="top")


def line_chart(series: dict[str, pd.Series], title: str, ylabel: str, source: str,
               recessions: pd.Series | None = None, episodes=None, mark=None, hline=None,
               ax=None, colors=None):
    """Time-series line chart of one or more series (PeriodIndex or DatetimeIndex).

    `mark`: (date, value, label) of a point to mark, e.g. the as_of value.
    """
    if ax is None:
        _, ax = plt.subplots()
    for name, s in series.items():
        s = s.dropna()
        ax.plot(_x(s.index), s.to_numpy(dtype=float), label=name, lw=1.3,
                color=(colors or {}).get(name) if colors else None)
    if len(series):
        allidx = [_x(s.dropna().index) for s in series.values() if len(s.dropna())]
        start, end = min(i.min() for i in allidx), max(i.max() for i in allidx)
        shade(ax, recessions, episodes, start, end)
        ax.set_xlim(start, end)
    if hline is not None:
        ax.axhline(hline, color=NEUTRAL, lw=0.8, ls="--")
    locator = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    if mark is not None:
        when, value, label = mark
        when = when.to_timestamp(how="start") if isinstance(when, pd.Period) else pd.Timestamp(when)
        ax.scatter([when], [value], color="black", zorder=5, s=25)
        ax.annotate(label, (when, value), xytext=(-10, 10), textcoords="offset points", ha="right", fontsize=9)
    finish(ax, title, ylabel, source)
    if len(series) > 1 or recessions is not None:
        ax.legend(loc="upper left", bbox_to_anchor=(0, 0.9), frameon=True)
    return ax


def bands(ax, index, low, high, label: str, color=NEUTRAL) -> None:
    """A shaded band (e.g. a confidence interval or a percentile band) on a time axis."""
    ax.fill_between(_x(index), np.asarray(low, dtype=float), np.asarray(high, dtype=float),
                    color=color, alpha=0.2, lw=0, label=label)


def histogram(values: pd.Series, marker: float, marker_label: str, title: str, xlabel: str, source: str, ax=None):
    """Distribution of a series with one value (e.g. the as_of value) marked."""
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.6))
    sns.histplot(values.dropna().to_numpy(dtype=float), bins=50, ax=ax, color=PALETTE[0])
    ax.axvline(marker, color="black", lw=1.5)
    ax.annotate(marker_label, (marker, ax.get_ylim()[1] * 0.92), xytext=(5, 0), textcoords="offset points", fontsize=9)
    finish(ax, title, "months (count)", source, xlabel=xlabel)
    return ax


def scatter_fit(x: pd.Series, y: pd.Series, slope: float, intercept: float, title: str, xlabel: str,
                ylabel: str, source: str, mark_x: float | None = None, ax=None):
    """Scatter of y on x with the fitted line y = intercept + slope * x."""
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4.5))
    df = pd.concat([x.rename("x"), y.rename("y")], axis=1).dropna()
    ax.scatter(df["x"], df["y"], s=6, alpha=0.4, color=PALETTE[0])
    grid = np.linspace(df["x"].min(), df["x"].max(), 50)
    ax.plot(grid, intercept + slope * grid, color=LARGE, lw=2, label=f"OLS fit, slope {slope:.3g}")
    ax.axhline(0, color=NEUTRAL, lw=0.8)
    if mark_x is not None:
        ax.axvline(mark_x, color="black", lw=1.2, ls="--", label=f"as_of value {mark_x:.3g}")
    ax.legend()
    finish(ax, title, ylabel, source, xlabel=xlabel)
    return ax


def timeline(coverage: pd.DataFrame, title: str, source: str, ax=None):
    """Horizontal bars from each dataset's first to last observation; stale ones in red."""
    cov = coverage.sort_values("first")
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 0.22 * len(cov) + 1.2))
    for i, (_, row) in enumerate(cov.iterrows()):
        color = LARGE if row["stale"] else SMALL
        ax.plot([row["first"], row["last"]], [i, i], color=color, lw=4, solid_capstyle="butt")
    ax.set_yticks(range(len(cov)), cov.index, fontsize=7)
    ax.set_xscale("linear")
    ax.plot([], [], color=SMALL, lw=4, label="current")
    ax.plot([], [], color=LARGE, lw=4, label="stale (ends well before the newest data)")
    ax.legend(loc="lower left", fontsize=8)
    finish(ax, title, "", source, xlabel="observation date")
    return ax


def grouped_bars(df: pd.DataFrame, x: str, hue: str, values: dict[str, str], title: str, ylabel: str,
                 xlabel: str, source: str, scale: float = 100.0, ax=None):
    """Bars of several value columns (`values`: legend label -> column), grouped by `x` and
    split by `hue` into panels side by side; values multiplied by `scale` (e.g. to percent)."""
    long = df.melt(id_vars=[x, hue], value_vars=list(values.values()), var_name="what", value_name="value")
    long["what"] = long["what"].map({v: k for k, v in values.items()})
    long["value"] = long["value"] * scale
    groups = list(dict.fromkeys(long[hue]))
    if ax is None:
        fig, axes = plt.subplots(1, len(groups), figsize=(5 * len(groups), 3.8), sharey=True, squeeze=False)
        axes = axes[0]
    else:
        axes = [ax]
    for a, g in zip(axes, groups):
        sns.barplot(data=long[long[hue] == g], x=x, y="value", hue="what", ax=a)
        a.axhline(0, color=NEUTRAL, lw=0.8)
        a.set_title(g, fontsize=10)
        a.set_xlabel(xlabel)
        a.set_ylabel(ylabel)
        a.legend(fontsize=8)
    axes[0].figure.suptitle(title, fontweight="bold")
    axes[0].figure.text(0.01, -0.03, f"Source: {source}", fontsize=8, color="0.35", ha="left", va="top")
    return axes[0]


def event_paths(paths: pd.DataFrame, title: str, ylabel: str, xlabel: str, source: str,
                mean: bool = True, ax=None):
    """One line per event (columns of `paths`, indexed by time since the event), and their mean."""
    if ax is None:
        _, ax = plt.subplots()
    for col in paths.columns:
        s = paths[col].dropna()
        ax.plot(s.index, s.to_numpy(dtype=float), lw=1.2, alpha=0.8, label=str(col))
    if mean and paths.shape[1] > 1:
        m = paths.mean(axis=1, skipna=True)
        ax.plot(m.index, m.to_numpy(dtype=float), color="black", lw=2.5, label="average")
    ax.axhline(0, color=NEUTRAL, lw=0.8)
    ax.legend(fontsize=8, ncol=2)
    finish(ax, title, ylabel, source, xlabel=xlabel)
    return ax


def coefficient_plot(df: pd.DataFrame, label: str, hue: str, coef: str, low: str, high: str, title: str,
                     xlabel: str, source: str, ax=None):
    """Point estimates with interval whiskers, one row per `label`, offset by `hue`."""
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.6 * df[label].nunique() + 1.5))
    labels = list(dict.fromkeys(df[label]))
    hues = list(dict.fromkeys(df[hue]))
    for j, h in enumerate(hues):
        sub = df[df[hue] == h].set_index(label).reindex(labels)
        y = np.arange(len(labels)) + (j - (len(hues) - 1) / 2) * 0.25
        ax.errorbar(sub[coef], y, xerr=[sub[coef] - sub[low], sub[high] - sub[coef]], fmt="o", capsize=3,
                    label=f"control: {h}", color=PALETTE[j])
    ax.axvline(0, color=NEUTRAL, lw=0.8)
    ax.set_yticks(range(len(labels)), labels)
    ax.legend(fontsize=8)
    finish(ax, title, "", source, xlabel=xlabel)
    return ax


def policy_rate_path(lower: pd.Series, upper: pd.Series, effective: pd.Series, title: str, ylabel: str, source: str,
                     expected: tuple[float, float] | None = None, expected_label: str = "", mark=None,
                     mark_label: str = "", expected_from=None, ax=None):
    """The fed funds target range (a band, where the range exists: from 2008-12-16) with the
    effective rate (a step line, e.g. the monthly average FEDFUNDS), an optional expected range
    (drawn from date `expected_from`, e.g. the day the expectation was stated, to the last date
    of the series; across the whole chart if None) and an optional dashed vertical line at date `mark`."""
    if ax is None:
        _, ax = plt.subplots()
    if len(upper.dropna()):
        ax.fill_between(_x(lower.index), lower.to_numpy(dtype=float), upper.to_numpy(dtype=float), step="post",
                        color=SMALL, alpha=0.5, label="target range")
    eff = effective.dropna()
    ax.step(_x(eff.index), eff.to_numpy(dtype=float), where="post", color="black", lw=1.2, label="effective rate, monthly average")
    if expected is not None and expected_from is None:
        ax.axhspan(expected[0], expected[1], color=LARGE, alpha=0.2, label=expected_label)
    elif expected is not None:
        last = max(_x(x.dropna().index).max() for x in (lower, upper, eff) if len(x.dropna()))
        first = pd.Timestamp(expected_from)
        if first <= last:
            ax.fill_between(_x(pd.DatetimeIndex([first, last])), expected[0], expected[1], color=LARGE, alpha=0.2,
                            lw=0, label=expected_label)
    if mark is not None:
        ax.axvline(pd.Timestamp(mark), color=NEUTRAL, lw=1, ls="--", label=mark_label)
    locator = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.legend(fontsize=8)
    finish(ax, title, ylabel, source)
    return ax


def heatmap(grid: pd.DataFrame, title: str, xlabel: str, ylabel: str, source: str, fmt: str = ".1f", ax=None):
    """Annotated heatmap of a grid (rows: y, columns: x), diverging around zero."""
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5))
    lim = float(np.nanmax(np.abs(grid.to_numpy(dtype=float)))) or 1.0
    sns.heatmap(grid, annot=True, fmt=fmt, cmap="RdYlGn_r", center=0, vmin=-lim, vmax=lim, ax=ax,
                cbar_kws={"label": "change (%)"})
    finish(ax, title, ylabel, source, xlabel=xlabel)
    return ax


def claim_chart(spec: dict, ax=None):
    """Draw a claim's chart from `rotation.claims.chart_spec` output."""
    ax = line_chart(spec["series"], title=spec["title"], ylabel=spec["ylabel"], source=spec["source"],
                    hline=spec.get("hline"), episodes=True if spec.get("episodes") else None, ax=ax)
    for a, b, label in spec.get("shade", []):
        ax.axvspan(pd.Timestamp(a), pd.Timestamp(b), color=LARGE, alpha=0.12, lw=0, label=label)
    if spec.get("shade"):
        ax.legend(loc="best", fontsize=8)
    return ax


def verdict_table(df: pd.DataFrame, colours: dict):
    """The claims table with each verdict cell coloured (`colours`: verdict -> CSS colour)."""
    return (df.style.map(lambda v: f"background-color: {colours.get(v, '')}; font-weight: bold", subset=["verdict"])
            .format({"value": lambda v: "–" if v is None or v != v else f"{v:,.4g}"})
            .set_properties(subset=["evidence"], **{"text-align": "left", "min-width": "380px"}))


# Small multiples' grid, in inches: each panel's cell, and the margins and gaps around the axes
# (room for a two-line title, the unit label and the tick labels). A fixed layout instead of
# `tight_layout`, which measured every one of ~160 panels' texts and took half the page's time.
PANEL_CELL = (3.2, 2.3)
PANEL_MARGINS = {"left": 0.75, "right": 0.15, "top": 0.45, "bottom": 0.35}
PANEL_GAPS = (0.9, 0.85)   # between columns, between rows


def grid_layout(rows: int, columns: int, cell=PANEL_CELL, margins=PANEL_MARGINS, gaps=PANEL_GAPS) -> dict:
    """`Figure.subplots_adjust` arguments (fractions of the figure; `wspace` and `hspace` as
    fractions of the mean axes width and height) for a `rows` x `columns` grid of `cell`-sized
    panels with fixed `margins` and `gaps` in inches; also the figure size `figsize` (inches)."""
    width, height = cell[0] * columns, cell[1] * rows
    axes_w = (width - margins["left"] - margins["right"] - gaps[0] * (columns - 1)) / columns
    axes_h = (height - margins["top"] - margins["bottom"] - gaps[1] * (rows - 1)) / rows
    return {"figsize": (width, height), "left": margins["left"] / width, "right": 1 - margins["right"] / width,
            "top": 1 - margins["top"] / height, "bottom": margins["bottom"] / height,
            "wspace": gaps[0] / axes_w, "hspace": gaps[1] / axes_h}


def small_multiples_png(long: pd.DataFrame, columns: int = 4) -> str:
    """Small multiples of numeric headline figures across sweep dates (one panel per
    notebook/figure), returned as a base64 PNG for embedding in a standalone page."""
    import base64
    import io

    keys = list(dict.fromkeys(zip(long["notebook"], long["figure"])))
    rows = max(1, -(-len(keys) // columns))
    layout = grid_layout(rows, columns)
    fig, axes = plt.subplots(rows, columns, figsize=layout.pop("figsize"), squeeze=False)
    fig.subplots_adjust(**layout)
    for ax, (nb, fig_name) in zip(axes.flat, keys):
        sub = long[(long["notebook"] == nb) & (long["figure"] == fig_name)].sort_values("run_as_of")
        x = pd.to_datetime(sub["run_as_of"])
        ax.plot(x, sub["value"].astype(float), marker="o", lw=1.2, color=SMALL)
        ax.set_title(f"{fig_name}\n({nb})", fontsize=8)
        ax.set_ylabel(str(sub["unit"].iloc[0]), fontsize=7)
        ax.tick_params(labelsize=7)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(mdates.AutoDateLocator()))
    for ax in list(axes.flat)[len(keys):]:
        ax.axis("off")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80)
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


STANCE_COLOURS = {"supports": "#2e7d32", "contradicts": "#c62828", "inconclusive": "0.55"}


def specification_curve(grid: pd.DataFrame, title: str, ylabel: str, source: str, scale: float = 1.0, ax=None):
    """A specification curve: every specification's estimate (times `scale`), sorted, with its
    robust interval (`ci_low`..`ci_high` from the null bootstrap, or the randomisation band `band_low`..`band_high`
    drawn as a grey bar around the null) and coloured by `stance` (supports / contradicts /
    inconclusive about the article's claim). The x axis is the rank of the specification."""
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 4.2))
    g = grid.sort_values("estimate").reset_index(drop=True)
    x = np.arange(len(g))
    if "band_low" in g and g["band_low"].notna().any():
        ax.vlines(x, g["band_low"] * scale, g["band_high"] * scale, color="0.8", lw=4, label="95% of randomised means (no effect)")
    if g["ci_low"].notna().any():
        ax.vlines(x, g["ci_low"] * scale, g["ci_high"] * scale, color="0.6", lw=1, label="95% interval (inverted null bootstrap)")
    for s, colour in STANCE_COLOURS.items():
        sub = g[g["stance"] == s]
        if len(sub):
            ax.scatter(sub.index, sub["estimate"] * scale, color=colour, s=18, zorder=3, label=f"{s} ({len(sub)})")
    ax.axhline(0, color=NEUTRAL, lw=0.8)
    ax.set_xlim(-1, max(len(g), 1))
    ax.legend(fontsize=8, loc="upper left")
    finish(ax, title, ylabel, source, xlabel="specification, ranked by estimate")
    return ax


def threshold_panels(panels: list[dict], title: str, source: str, joint: pd.Series | None = None,
                     joint_label: str = "", recessions: pd.Series | None = None):
    """Stacked panels on one time axis, one per entry of `panels`, each a dict with "series" (a
    monthly or daily Series), "threshold" (a number), "side" (">=" or "<=": the side on which the
    condition holds), "name" (the legend label) and "ylabel" (with units). Each panel draws its
    series, the threshold as a dashed line and shades the months on the holding side lightly;
    `joint` (1.0 / 0.0 by month, e.g. all conditions holding at once) is shaded in every panel
    (`joint_label` in the legend); NBER recessions grey. The title goes on top, the source line
    under the figure. Returns the figure."""
    fig, axes = plt.subplots(len(panels), 1, figsize=(11, 2.1 * len(panels) + 0.6), sharex=True, squeeze=False)
    axes = axes[:, 0]
    spans = [_x(p["series"].dropna().index) for p in panels if len(p["series"].dropna())]
    lo = min(i.min() for i in spans) if spans else None
    hi = max(i.max() for i in spans) if spans else None
    on = joint[joint == 1].index if joint is not None else []
    for ax, p in zip(axes, panels):
        s = p["series"].dropna()
        x = _x(s.index)
        ax.plot(x, s.to_numpy(dtype=float), lw=1.1, color=SMALL, label=p["name"])
        ax.axhline(p["threshold"], color=LARGE, lw=1, ls="--", label=f"threshold ({p['side']} {p['threshold']:g})")
        holds = (s >= p["threshold"]) if p["side"] == ">=" else (s <= p["threshold"])
        ax.fill_between(x, 0, 1, where=holds.to_numpy(dtype=bool), transform=ax.get_xaxis_transform(),
                        color=LARGE, alpha=0.08, lw=0, label="condition holds")
        if len(on):
            starts = _x(pd.PeriodIndex(on, freq="M"))
            for a in starts:
                ax.axvspan(a, a + pd.offsets.MonthEnd(0), color="#2e7d32", alpha=0.35, lw=0, zorder=0)
            ax.plot([], [], color="#2e7d32", alpha=0.35, lw=6, label=joint_label)
        if lo is not None:
            shade(ax, recessions, None, lo, hi)
            ax.set_xlim(lo, hi)
        ax.set_ylabel(p["ylabel"], fontsize=8)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, frameon=False)
    locator = mdates.AutoDateLocator()
    axes[-1].xaxis.set_major_locator(locator)
    axes[-1].xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    axes[0].set_title(title)
    fig.tight_layout()
    fig.text(0.01, -0.01, f"Source: {source}", fontsize=8, color="0.35", ha="left", va="top")
    return fig
