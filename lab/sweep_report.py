"""The sweep's report, from results.csv alone: summary.md (the five predictions, each with its rule, intervals and
verdict, or why this grid cannot test it) and results.png (one panel per prediction; matplotlib's Agg canvas).

Every sentence in the summary is computed from the rows; the statistics (lab/stats.py) and the comparisons
(lab/predictions.py) are written out in the summary itself, so a reader can check each verdict.
"""
from __future__ import annotations

import math
import os
import statistics

from lab.predictions import judge
from lab.stats import ALPHA, RESAMPLES
from lab.sweep_results import read_results

TABLE = (("eval_accuracy", "eval accuracy"), ("eval_loss", "eval loss"), ("ece", "ECE"),
         ("hessian_top_eigenvalue", "top eigenvalue"), ("hessian_min_eigenvalue", "most negative eigenvalue"),
         ("hessian_trace", "trace"), ("early_escapes", "early escapes"),
         ("late_loss_variance", "late loss variance"), ("final_eval_accuracy", "final eval accuracy"))
COLOURS = {"supported": "#2e8b57", "refuted": "#c0392b", "inconclusive": "#7f8c8d"}


def spread(values) -> tuple[float, float, int]:
    """(mean, sd, n) of the finite values; sd is nan below two values."""
    values = [float(v) for v in values if v is not None and math.isfinite(v)]
    if not values:
        return math.nan, math.nan, 0
    return statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else math.nan, len(values)


def _num(value: float, sign: str = "") -> str:
    if value is None or math.isnan(value):
        return "–"
    if math.isinf(value):
        return "+∞" if value > 0 else "−∞"
    return f"{value:{sign}.4g}".replace("-", "−")


def _p(value: float) -> str:
    if math.isnan(value):
        return "–"
    return f"< {1 / RESAMPLES:.0e}" if value == 0 else f"{value:.3g}"


def _comparison_line(c, decided: bool) -> str:
    verdict = f"**{c.verdict}**" if decided else "context"
    return (f"| {c.name} | {c.n} | {_num(c.mean, '+')} | {_num(c.sd)} | [{_num(c.low, '+')}, {_num(c.high, '+')}] | "
            f"{_p(c.p)} | {_p(c.p_holm) if decided else '–'} | {verdict} |")


def summary_text(rows, seeds, noises, optimizers, epochs, target, predictions) -> str:
    runs = len(seeds) * len(noises) * len(optimizers)
    family = sum(len(g.comparisons) for p in predictions for g in p.groups)
    matched = f"matched at training loss {target:g}" if target is not None else "no matched train loss"
    out = [f"# Sweep summary\n\n**Headline:** {len(rows)} of {runs} runs ({len(seeds)} seeds, {epochs} epochs, "
           f"{matched}): " + "; ".join(p.tally() for p in predictions) + ".\n",
           "## How a verdict is reached\n",
           f"Every comparison is a paired difference over seeds (the same seed's data and initial weights under both "
           f"conditions). Its interval is the 95% percentile bootstrap of the mean difference ({RESAMPLES:,} "
           f"resamples of the seeds); its p-value is the bootstrap's two-sided p. The {family} comparisons that "
           f"decide a prediction form one family, Holm-corrected together (family-wise error ≤ {ALPHA}). "
           f"**Rule:** a comparison is *supported* when its Holm-adjusted p ≤ {ALPHA} and its mean has the "
           f"predicted sign, *refuted* when its Holm-adjusted p ≤ {ALPHA} and its mean has the other sign, and "
           f"*inconclusive* otherwise (its corrected interval contains 0). A prediction (or one of its groups) is "
           f"supported when all its comparisons are, refuted when any is, inconclusive otherwise. Context rows "
           f"have intervals but decide nothing.\n",
           "Generalisation is measured on each seed's evaluation set (10,000 shapes from their own stream, never "
           "trained on): eval loss (mean cross-entropy), eval accuracy and ECE (15 equal-width bins). The exhibit's "
           "own 40-sample test set is in results.csv as test_accuracy and test_loss, and is not used here.\n",
           "## Means ± sd over seeds\n",
           "| optimizer | noise | reached target | " + " | ".join(label for _, label in TABLE) + " | diverged |",
           "|---|---|---|" + "---|" * (len(TABLE) + 1)]
    for o in optimizers:
        for n in noises:
            cell = [r for r in rows if r["optimizer"] == o and r["noise"] == n]
            ok = [r for r in cell if not r["diverged"]]
            reached = sum(r["measured_at"] == "match" for r in ok)
            stats = [spread([r[m] for r in ok]) for m, _ in TABLE]
            out.append(f"| {o} | {n} | {f'{reached}/{len(ok)}' if target is not None else '–'} | "
                       + " | ".join(f"{_num(m)} ± {_num(s)}" for m, s, _ in stats) + f" | {len(cell) - len(ok)} |")
    for p in predictions:
        out += [f"\n## Prediction {p.number}: {p.title}\n", f"How this grid tests it: {p.rule}.\n"]
        if p.untestable:
            out.append(f"**Cannot be tested by this grid:** {p.untestable}.")
            continue
        out += ["| comparison | n | mean Δ | sd | 95% interval | p | Holm p | verdict |",
                "|---|---|---|---|---|---|---|---|"]
        for g in p.groups:        # a comparison with no pairs at all is said once, under the table
            out += [_comparison_line(c, True) for c in g.comparisons if c.n]
            out += [_comparison_line(c, False) for c in g.context if c.n]
        out.append("")
        for g in p.groups:
            notes = "; ".join(dict.fromkeys(g.notes + [n for c in g.comparisons for n in c.notes]))
            out.append(f"- {g.label}: **{g.verdict}**" + (f" ({notes})" if notes else ""))
    return "\n".join(out) + "\n"


def plot(predictions, path) -> None:
    """results.png: one forest panel per prediction. Each row is a deciding comparison's mean difference and 95%
    interval in units of the differences' sd (so metrics of different scales share an axis), coloured by verdict."""
    import textwrap

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    figure = Figure(figsize=(18, 11), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(2, 3).ravel()
    for axis, p in zip(axes, predictions):
        axis.set_title(textwrap.fill(f"{p.number}: {p.title}", 44), fontsize=10, loc="left")
        rows = [(f"{g.label}\n{c.name.rsplit(': ', 1)[-1]}", c) for g in p.groups for c in g.comparisons
                if c.n >= 2 and c.sd > 0]
        if p.untestable or not rows:
            axis.text(0.02, 0.5, textwrap.fill("not tested by this grid: " + (p.untestable or "too few pairs"), 50),
                      va="center", fontsize=9, transform=axis.transAxes)
            axis.set_axis_off()
            continue
        for y, (_, c) in enumerate(rows):
            axis.errorbar([c.mean / c.sd], [y], xerr=[[max(0.0, (c.mean - c.low) / c.sd)],
                                                      [max(0.0, (c.high - c.mean) / c.sd)]],
                          fmt="o", color=COLOURS[c.verdict], capsize=3)
        axis.axvline(0.0, color="black", linewidth=0.8)
        axis.set_yticks(range(len(rows)), [label for label, _ in rows], fontsize=7)
        axis.set_ylim(len(rows) - 0.5, -0.5)
        axis.set_xlabel("mean paired difference ÷ its sd (95% interval)", fontsize=8)
        axis.grid(alpha=0.3, axis="x")
    legend = axes[-1]
    legend.set_axis_off()
    for i, (verdict, colour) in enumerate(COLOURS.items()):
        legend.text(0.1, 0.75 - 0.12 * i, f"● {verdict}", color=colour, fontsize=13, transform=legend.transAxes)
    legend.text(0.1, 0.3, textwrap.fill("Each row: one comparison, paired by seed. Verdicts are Holm-corrected "
                                        "across every deciding comparison of the summary.", 45), fontsize=9,
                transform=legend.transAxes)
    figure.savefig(path, dpi=90, format="png")


def _replace(path, write) -> None:
    """write(temporary) then rename: an interrupted report leaves the previous file, never half of one."""
    temporary = f"{path}.partial"
    write(temporary)
    os.replace(temporary, path)


def _write_text(path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def write_report(out_dir, seeds, noises, optimizers, epochs, target) -> dict:
    """results.png and summary.md in out_dir from the rows of this grid in results.csv; their paths, the notes."""
    rows, notes = read_results(os.path.join(out_dir, "results.csv"))
    chosen = set(seeds)
    inside = [r for r in rows if r["seed"] in chosen and r["noise"] in noises and r["optimizer"] in optimizers
              and r["epochs"] == epochs and r["match_train_loss"] == target]
    if len(inside) < len(rows):
        notes.append(f"{len(rows) - len(inside)} rows of results.csv are outside this grid and not in the report")
    predictions = judge(inside, noises, optimizers, target)
    png, md = os.path.join(out_dir, "results.png"), os.path.join(out_dir, "summary.md")
    _replace(png, lambda path: plot(predictions, path))
    text = summary_text(inside, seeds, noises, optimizers, epochs, target, predictions)
    _replace(md, lambda path: _write_text(path, text))
    verdicts = {p.number: ("untestable" if p.untestable else {g.label: g.verdict for g in p.groups})
                for p in predictions}
    return {"plot": png, "summary": md, "headline": text.split("**Headline:** ", 1)[1].split("\n", 1)[0],
            "verdicts": verdicts, "notes": notes}
