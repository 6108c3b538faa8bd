"""Summary statistics: means with Student-t 95 % intervals, and paired differences under common random numbers."""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

CONFIDENCE = 0.95


@functools.cache
def t_quantile(confidence: float, df: int) -> float:
    """The two-sided Student-t quantile, scipy's, once per confidence and degrees of freedom (every interval of a
    run asks for one of the same few). scipy.special.stdtrit is what scipy.stats.t.ppf evaluates, to the same bits;
    scipy.stats added 0.8 s to a short `python -m sim run`, stdtrit 0.13 s. Imported on
    the first call, so `import sim.stats` pays for neither."""
    from scipy.special import stdtrit

    return float(stdtrit(df, 0.5 + confidence / 2))


def t_half_width(values: np.ndarray | pd.Series, confidence: float = CONFIDENCE) -> float:
    """Half-width of the Student-t interval of the mean; NaN with fewer than two values."""
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    if values.size < 2:
        return float("nan")
    sd = values.std(ddof=1)
    return float(t_quantile(confidence, values.size - 1) * sd / np.sqrt(values.size))


def _describe(frame: pd.DataFrame, by: str, metrics: list[str]) -> pd.DataFrame:
    rows = []
    for key, group in frame.groupby(by, sort=False):
        for metric in metrics:
            values = group[metric].to_numpy(dtype=float)
            rows.append({by: key, "metric": metric, "mean": float(np.nanmean(values)) if (~np.isnan(values)).any()
                         else float("nan"), "ci95": t_half_width(values), "n": int((~np.isnan(values)).sum())})
    return pd.DataFrame(rows)


def summarise(summary: pd.DataFrame, metrics: list[str]) -> pd.DataFrame:
    """One row per design and metric: mean over replications and the 95 % interval half-width."""
    return _describe(summary, "design", list(metrics))


def paired_differences(summary: pd.DataFrame, baseline: str, metrics: list[str]) -> pd.DataFrame:
    """Each design minus the baseline, replication by replication: common random numbers make these intervals
    much narrower than the difference of two independent means."""
    wide = summary.set_index(["design", "replication"])[list(metrics)]
    if baseline not in wide.index.get_level_values("design"):
        raise KeyError(f"baseline design {baseline!r} was not run")
    base = wide.xs(baseline, level="design")
    diffs = []
    for design in dict.fromkeys(summary["design"]):
        diff = wide.xs(design, level="design") - base
        diff = diff.reset_index()
        diff.insert(0, "design", design)
        diffs.append(diff)
    frame = pd.concat(diffs, ignore_index=True)
    out = _describe(frame, "design", list(metrics))
    out["replications_above_baseline"] = [
        int((group[metric] > 0).sum()) for _, group in frame.groupby("design", sort=False) for metric in metrics
    ]
    out.insert(1, "baseline", baseline)
    return out


def ties_with_best(scores: Mapping[str, np.ndarray], confidence: float = CONFIDENCE) -> tuple[str, tuple[str, ...]]:
    """The best of several alternatives scored replication by replication under common random numbers (larger is
    better; NaN where a replication has no figure), and those it is not ahead of beyond noise: an alternative ties
    when the Student-t interval of its paired difference from the best reaches zero. The best is the largest mean;
    the first listed wins an exact tie. Each pair is tested at `confidence` on its own: the ties are what a reader
    could not tell apart from the best, not a simultaneous guarantee."""
    if not scores:
        raise ValueError("no alternatives to choose from")
    arrays = {k: np.asarray(v, dtype=float) for k, v in scores.items()}
    means = {k: float(np.nanmean(v)) if (~np.isnan(v)).any() else -math.inf for k, v in arrays.items()}
    best = max(means, key=lambda k: means[k])  # max keeps the first of equal means
    tied = []
    for other, values in arrays.items():
        if other == best:
            continue
        n = min(values.size, arrays[best].size)
        lead = arrays[best][:n] - values[:n]
        lead = lead[~np.isnan(lead)]
        half = t_half_width(lead, confidence)
        if math.isnan(half) or lead.mean() - half <= 0:
            tied.append(other)
    return best, tuple(tied)


# What a growing backlog makes depend on the run length: shown as "not steady" rather than as a plain number.
DEPENDS_ON_RUN_LENGTH = ("wait_hours", "lead_time_days", "lead_time_p90_days", "on_time_rate", "on_time_promised_rate")


@dataclass(frozen=True)
class BacklogTrend:
    """Whether a design's backlog was still growing over the measured weeks (MODEL.md, "Is a design keeping up?").

    `growth_per_week` and `ci95` are the mean and 95 % half-width over replications of the least-squares slope of
    the weekly backlog; `deliveries_per_week` is the mean throughput."""

    design: str
    growth_per_week: float
    ci95: float
    deliveries_per_week: float
    weeks: int
    kind: str = "design"  # what the sentence calls it: a design, or an option of the advisor
    lead_drift_days: float = float("nan")  # second half's mean lead time less the first half's, mean over replications
    lead_drift_ci95: float = float("nan")
    lead_time_days: float = float("nan")

    @property
    def backlog_growing(self) -> bool:
        """The slope's 95 % interval lies above zero and the fitted backlog grew over the measured weeks by more than
        one week of deliveries."""
        if math.isnan(self.growth_per_week):
            return False  # too few weeks to tell
        low = self.growth_per_week - (0.0 if math.isnan(self.ci95) else self.ci95)
        return low > 0 and self.growth_per_week * self.weeks > self.deliveries_per_week

    @property
    def lead_time_drifting(self) -> bool:
        """The lead time of the second half of the run is longer than the first half's beyond noise and by more than
        a quarter of the mean: a design whose demand (which answers to service) is still settling."""
        if math.isnan(self.lead_drift_days) or math.isnan(self.lead_drift_ci95):
            return False
        return (self.lead_drift_days - self.lead_drift_ci95 > 0
                and self.lead_drift_days > 0.25 * self.lead_time_days)

    @property
    def keeping_up(self) -> bool:
        """False when the backlog grows or the lead time drifts up: then lead time and on-time figures depend on the
        run length."""
        return not (self.backlog_growing or self.lead_time_drifting)

    def warning(self) -> str:
        """The sentence the CLI and the app show for a design that is not keeping up."""
        if self.backlog_growing:
            return (f"{self.kind} {self.design} is not keeping up: its backlog grows by {self.growth_per_week:.2g} "
                    f"requests a week (± {self.ci95:.2g}); its lead time and on-time figures depend on the run "
                    "length")
        return (f"{self.kind} {self.design} is not keeping up: its lead time grows by {self.lead_drift_days:.2g} "
                f"days (± {self.lead_drift_ci95:.2g}) from the first half of the run to the second; its lead time and "
                "on-time figures depend on the run length")


def backlog_trend(design: str, slopes: np.ndarray, deliveries: np.ndarray, weeks: int,
                  kind: str = "design", drift: np.ndarray | None = None,
                  lead_days: np.ndarray | None = None) -> BacklogTrend:
    """The trend of one design from its replications' backlog slopes, deliveries per week and, where given, the
    drift of their lead time from the first half of the run to the second."""
    slopes = np.asarray(slopes, dtype=float)
    kept = slopes[~np.isnan(slopes)]
    drifts = np.asarray([] if drift is None else drift, dtype=float)
    drifts = drifts[~np.isnan(drifts)]
    leads = np.asarray([] if lead_days is None else lead_days, dtype=float)
    return BacklogTrend(
        str(design), float(kept.mean()) if kept.size else float("nan"), t_half_width(slopes),
        float(np.mean(deliveries)), int(weeks), kind,
        lead_drift_days=float(drifts.mean()) if drifts.size >= 2 else float("nan"),
        lead_drift_ci95=t_half_width(drifts) if drifts.size >= 2 else float("nan"),
        lead_time_days=float(np.nanmean(leads)) if leads.size and not np.isnan(leads).all() else float("nan"),
    )


def backlog_trends(summary: pd.DataFrame, weeks: int) -> dict[str, BacklogTrend]:
    """Each design's backlog trend from the per-replication summary (columns design, backlog_growth_per_week,
    throughput_per_week), in the order the designs first appear."""
    return {
        design: backlog_trend(design, group["backlog_growth_per_week"], group["throughput_per_week"], weeks,
                              drift=group.get("lead_time_drift_days"), lead_days=group.get("lead_time_days"))
        for design, group in summary.groupby("design", sort=False)
    }
