"""The sweep's report, from results.csv alone: results.png (matplotlib's Agg canvas, no pyplot, no window) and
summary.md, which says for each of the seed's predictions this grid can test whether the numbers support it.

Every sentence in the summary is computed from the rows: the verdict rules are constants below and are written
out in the summary itself, so a reader can check each verdict by hand.
"""
from __future__ import annotations

import csv
import math
import os
import statistics

COLUMNS = ("seed", "noise", "noise_mode", "noise_magnitude", "optimizer", "epochs", "train_loss", "test_loss",
           "train_accuracy", "test_accuracy", "hessian_trace", "hessian_trace_se", "hessian_top_eigenvalue",
           "hessian_min_eigenvalue", "seconds", "diverged")
TEXT, WHOLE = {"noise", "noise_mode", "optimizer"}, {"seed", "epochs"}
METRICS = (("train_loss", "train loss"), ("test_accuracy", "test accuracy"), ("hessian_trace", "Hessian trace"),
           ("hessian_top_eigenvalue", "top eigenvalue"))
LOSS_TOLERANCE = 0.05   # train losses are "matched" when the mean paired difference is smaller than this (nats)
MIN_D = 0.5             # a "medium" paired Cohen's d: the smallest effect that counts as evidence either way
LABEL_LEVELS = "none,label_noise:0.05,label_noise:0.1,label_noise:0.2,label_noise:0.4"


def _convert(column: str, text: str):
    if column in TEXT:
        return text
    if column in WHOLE:
        return int(text)
    if column == "diverged":
        if text not in ("True", "False"):
            raise ValueError(text)
        return text == "True"
    return float(text)


def read_results(path) -> tuple[list[dict], list[str]]:
    """(rows, notes): every well-formed row of results.csv; a row that does not fit the header (a line torn by a
    crash) is left out and named in a note. A missing file is no rows."""
    if not os.path.exists(path):
        return [], []
    with open(path, newline="", encoding="utf-8") as handle:
        lines = list(csv.reader(handle))
    if not lines:
        return [], []
    if tuple(lines[0]) != COLUMNS:
        if set(lines[0]) == set(COLUMNS) - {"hessian_trace_se", "hessian_min_eigenvalue"}:
            raise ValueError(f"{path} was written by an older version, whose sharpness came from finite differences "
                             "that cross ReLU kinks; its rows cannot be mixed with exact ones: choose another -o")
        raise ValueError(f"{path} is not a sweep's results.csv (its columns differ); choose another -o")
    rows, notes = [], []
    for number, fields in enumerate(lines[1:], start=2):
        try:
            if len(fields) != len(COLUMNS):
                raise ValueError
            rows.append({c: _convert(c, f) for c, f in zip(COLUMNS, fields)})
        except ValueError:
            if fields:
                notes.append(f"{path} line {number} does not match the header (a torn line?): ignored")
    return rows, notes


def _finite(values):
    return [float(v) for v in values if v is not None and math.isfinite(v)]


def spread(values) -> tuple[float, float, int]:
    """(mean, sd, n) of the finite values; sd is nan below two values."""
    values = _finite(values)
    if not values:
        return math.nan, math.nan, 0
    return statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else math.nan, len(values)


def _by_seed(rows, optimizer, noise, metric) -> dict[int, float]:
    return {r["seed"]: r[metric] for r in rows if r["optimizer"] == optimizer and r["noise"] == noise
            and not r["diverged"] and math.isfinite(r[metric])}


# Student's t 97.5% quantiles for 1 … 30 degrees of freedom (two-sided 95%); beyond, a Cornish–Fisher expansion.
_T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
         2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042)


def t_975(df: int) -> float:
    """The 97.5% quantile of Student's t with df degrees of freedom (the half-width factor of a 95% interval)."""
    if df < 1:
        return math.nan
    if df <= len(_T975):
        return _T975[df - 1]
    z = 1.959964
    return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2)


def paired(rows, optimizer, noise, baseline, metric) -> dict:
    """noise − baseline for one optimizer, paired by seed: mean, sd, n, Cohen's d (mean / sd of the pairs), and the
    mean's 95% t-interval (low, high), uncorrected for the other comparisons made beside it."""
    a, b = _by_seed(rows, optimizer, noise, metric), _by_seed(rows, optimizer, baseline, metric)
    mean, sd, n = spread([a[s] - b[s] for s in sorted(a.keys() & b.keys())])
    if n < 2:
        d = math.nan
    elif sd == 0:
        d = 0.0 if mean == 0 else math.copysign(math.inf, mean)
    else:
        d = mean / sd
    half = t_975(n - 1) * sd / math.sqrt(n) if n >= 2 else math.nan
    return {"mean": mean, "sd": sd, "n": n, "d": d, "low": mean - half, "high": mean + half}


def _shows(effect: dict, sign: int) -> bool:
    """The paired effect goes in direction sign (+1 or −1) with |d| ≥ MIN_D."""
    return effect["n"] >= 2 and effect["mean"] * sign > 0 and effect["d"] * sign >= MIN_D


def prediction_1(rows, optimizer, noise) -> dict:
    acc = paired(rows, optimizer, noise, "none", "test_accuracy")
    eig = paired(rows, optimizer, noise, "none", "hessian_top_eigenvalue")
    loss = paired(rows, optimizer, noise, "none", "train_loss")
    matched = loss["n"] >= 1 and abs(loss["mean"]) < LOSS_TOLERANCE
    if min(acc["n"], eig["n"]) < 2:
        verdict, why = "inconclusive", "fewer than 2 seeds pair up"
    elif not matched:
        verdict, why = "inconclusive", "train losses are not matched"
    elif _shows(acc, +1) and _shows(eig, -1):
        verdict, why = "supported", "higher test accuracy and a lower top eigenvalue, both with d beyond ±0.5"
    elif _shows(acc, -1) and _shows(eig, +1):
        verdict, why = "contradicted", "lower test accuracy and a higher top eigenvalue, both with d beyond ±0.5"
    else:
        verdict, why = "inconclusive", "the two effects are not both clear in one direction"
    return {"optimizer": optimizer, "noise": noise, "accuracy": acc, "eigenvalue": eig, "train_loss": loss,
            "matched": matched, "verdict": verdict, "why": why}


def label_levels(rows, optimizer, noises) -> list[tuple[float, str]]:
    """(magnitude, spec) of the label-noise levels this optimizer has rows for; "none" is level 0."""
    levels = {}
    for noise in noises:
        found = [r for r in rows if r["optimizer"] == optimizer and r["noise"] == noise]
        if found and (noise == "none" or found[0]["noise_mode"] == "label_noise"):
            levels.setdefault(0.0 if noise == "none" else found[0]["noise_magnitude"], noise)
    return sorted(levels.items())


def prediction_2(rows, optimizer, noises) -> dict | None:
    """The best intermediate label-noise level against zero and the highest; None when the grid cannot test it."""
    levels = label_levels(rows, optimizer, noises)
    if len(levels) < 3 or levels[0][0] != 0:
        return None
    middle = levels[1:-1]
    accuracy = {spec: spread([r["test_accuracy"] for r in rows if r["optimizer"] == optimizer and r["noise"] == spec
                              and not r["diverged"]])[0] for _, spec in middle}
    best = max(middle, key=lambda level: -math.inf if math.isnan(accuracy[level[1]]) else accuracy[level[1]])[1]
    zero = paired(rows, optimizer, best, levels[0][1], "test_accuracy")
    high = paired(rows, optimizer, best, levels[-1][1], "test_accuracy")
    if _shows(zero, +1) and _shows(high, +1):
        verdict = "supported"
    elif _shows(zero, -1) or _shows(high, -1):
        verdict = "contradicted"
    else:
        verdict = "inconclusive"
    return {"optimizer": optimizer, "best": best, "zero": levels[0][1], "high": levels[-1][1], "vs_zero": zero,
            "vs_high": high, "verdict": verdict}


def _num(value: float, sign: str = "") -> str:
    if math.isnan(value):
        return "–"
    return ("+" if value > 0 else "−") + "∞" if math.isinf(value) else f"{value:{sign}.4g}".replace("-", "−")


def _effect(e: dict) -> str:
    return (f"{_num(e['mean'], '+')} ± {_num(e['sd'])} (n {e['n']}, d {_num(e['d'], '+')}, 95% "
            f"[{_num(e['low'], '+')}, {_num(e['high'], '+')}])")


def _tally(verdicts) -> str:
    return (f"supported in {verdicts.count('supported')} of {len(verdicts)} comparisons, contradicted in "
            f"{verdicts.count('contradicted')}, inconclusive in {verdicts.count('inconclusive')}")


def summary_text(rows, seeds, noises, optimizers, epochs, command) -> str:
    """summary.md: headline, the table, then each prediction with its rule, effects and verdicts."""
    p1 = [prediction_1(rows, o, n) for o in optimizers for n in noises if n != "none"] if "none" in noises else []
    p2 = {o: prediction_2(rows, o, noises) for o in optimizers}
    untestable = ("the grid has no `none` baseline: add none to --noise" if "none" not in noises
                  else "the grid has no noise besides `none`" if not p1 else "")
    head1 = (f"prediction 1 (moderate noise → flatter minima, better test accuracy) "
             f"{_tally([c['verdict'] for c in p1])}" if p1 else f"prediction 1 cannot be tested ({untestable})")
    tested = {o: r["verdict"] for o, r in p2.items() if r}
    head2 = ("prediction 2 (an intermediate label-noise band wins) " + "; ".join(f"{v} for {o}" for o, v in tested.items()) if tested
             else "prediction 2 cannot be tested with this grid")
    runs, plural = len(seeds) * len(noises) * len(optimizers), "s" if epochs != 1 else ""
    out = [f"# Sweep summary\n\n**Headline:** {len(rows)} of {runs} runs ({epochs} epoch{plural}, {len(seeds)} seeds): "
           f"{head1}; "
           f"{head2}.\n", "## Means ± sd over seeds\n",
           "| optimizer | noise | " + " | ".join(label for _, label in METRICS) + " | seeds | diverged |",
           "|---|---|" + "---|" * (len(METRICS) + 2)]
    for o in optimizers:
        for n in noises:
            cell = [r for r in rows if r["optimizer"] == o and r["noise"] == n]
            ok = [r for r in cell if not r["diverged"]]
            stats = [spread([r[m] for r in ok]) for m, _ in METRICS]
            out.append(f"| {o} | {n} | " + " | ".join(f"{_num(m)} ± {_num(s)}" for m, s, _ in stats)
                       + f" | {len(cell)} | {len(cell) - len(ok)} |")
    out += ["\n## Prediction 1: moderate noise → lower sharpness and better test accuracy at matched train loss\n",
            f"Each noise is compared with `none` for the same optimizer, paired by seed (noise − none): mean ± sd, "
            f"n, Cohen's d = mean / sd of the pairs, and the mean's 95% t-interval (each on its own: not corrected "
            f"for the comparisons made beside it). Test accuracy is on 40 test samples, so one sample is 2.5 "
            f"points. Train losses are matched when |mean Δ train loss| < "
            f"{LOSS_TOLERANCE}. Rule: **supported** if matched, Δ test accuracy > 0 with d ≥ {MIN_D} and Δ top "
            f"eigenvalue < 0 with d ≤ −{MIN_D}; **contradicted** if matched and both go the other way with |d| ≥ "
            f"{MIN_D}; otherwise **inconclusive**.\n"]
    if not p1:
        out.append(f"Cannot be tested: {untestable}.")
    else:
        out += ["| optimizer | noise | Δ test accuracy | Δ top eigenvalue | Δ train loss | matched | verdict |",
                "|---|---|---|---|---|---|---|"]
        out += [f"| {c['optimizer']} | {c['noise']} | {_effect(c['accuracy'])} | {_effect(c['eigenvalue'])} | "
                f"{_effect(c['train_loss'])} | {'yes' if c['matched'] else 'no'} | {c['verdict']} ({c['why']}) |"
                for c in p1]
        out.append(f"\nOverall: {_tally([c['verdict'] for c in p1])}.")
    out += ["\n## Prediction 2: an intermediate label-noise band beats zero and high label noise\n",
            f"Testable for an optimizer with at least 3 label-noise levels including 0 (`none` counts as 0). The "
            f"intermediate level with the best mean test accuracy is paired by seed with 0 and with the highest "
            f"level. Rule: **supported** if it beats both with d ≥ {MIN_D}; **contradicted** if either beats it "
            f"with d ≥ {MIN_D}; otherwise **inconclusive**. (Picking the best level first favours it a little.)\n"]
    for o, r in p2.items():
        if r is None:
            levels = ", ".join(f"`{spec}`" for _, spec in label_levels(rows, o, noises)) or "no level"
            out.append(f"- {o}: cannot be tested with this grid (label-noise levels with results, 0 included: "
                       f"{levels}). "
                       f"To test it, run:\n\n  `{command(o)}`\n")
        else:
            out.append(f"- {o}: best intermediate `{r['best']}`; Δ test accuracy vs `{r['zero']}` "
                       f"{_effect(r['vs_zero'])}, vs `{r['high']}` {_effect(r['vs_high'])}: **{r['verdict']}**.")
    return "\n".join(out) + "\n"


def plot(rows, noises, optimizers, path) -> None:
    """results.png: test accuracy and top Hessian eigenvalue against noise, a line per optimizer, mean ± sd."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    figure = Figure(figsize=(11, 4.6), layout="constrained")
    FigureCanvasAgg(figure)
    panels = figure.subplots(1, 2)
    for axis, (metric, label) in zip(panels, (("test_accuracy", "test accuracy"),
                                              ("hessian_top_eigenvalue", "top Hessian eigenvalue (sharpness)"))):
        for index, o in enumerate(optimizers):
            stats = [spread([r[metric] for r in rows if r["optimizer"] == o and r["noise"] == n
                             and not r["diverged"]]) for n in noises]
            dodge = 0.06 * (index - (len(optimizers) - 1) / 2)     # optimizers side by side, never hidden
            axis.errorbar([x + dodge for x in range(len(noises))], [m for m, _, _ in stats],
                          yerr=[0 if math.isnan(s) else s for _, s, _ in stats], marker="o", capsize=3, label=o)
        axis.set_xticks(range(len(noises)), noises, rotation=25, ha="right")
        axis.set(xlabel="noise", ylabel=label, title=f"{label}, mean ± sd over seeds")
        axis.grid(alpha=0.3)
        if optimizers:
            axis.legend()
    figure.savefig(path, dpi=110, format="png")


def _replace(path, write) -> None:
    """write(temporary) then rename: an interrupted report leaves the previous file, never half of one."""
    temporary = f"{path}.partial"
    write(temporary)
    os.replace(temporary, path)


def _write_text(path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def write_report(out_dir, seeds, noises, optimizers, epochs, command) -> dict:
    """results.png and summary.md in out_dir from the rows of this grid in results.csv; their paths, the notes."""
    rows, notes = read_results(os.path.join(out_dir, "results.csv"))
    inside = [r for r in rows if r["seed"] in set(seeds) and r["noise"] in noises and r["optimizer"] in optimizers
              and r["epochs"] == epochs]
    if len(inside) < len(rows):
        notes.append(f"{len(rows) - len(inside)} rows of results.csv are outside this grid and not in the report")
    png, md = os.path.join(out_dir, "results.png"), os.path.join(out_dir, "summary.md")
    _replace(png, lambda p: plot(inside, noises, optimizers, p))
    text = summary_text(inside, seeds, noises, optimizers, epochs, command)
    _replace(md, lambda p: _write_text(p, text))
    return {"plot": png, "summary": md, "headline": text.split("**Headline:** ", 1)[1].split("\n", 1)[0],
            "notes": notes}
