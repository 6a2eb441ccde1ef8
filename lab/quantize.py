"""Prediction 4: dithered quantization at inference improves calibration (ECE) and loss over plain rounding.

The quantizer is symmetric, uniform and per tensor: with L = 2**(bits-1) - 1 levels each side of 0 and
scale = max|w| / L, every weight becomes an integer multiple k·scale with -L ≤ k ≤ L (2L + 1 levels; the
largest weight is exact, an all-zero tensor stays zero). Undithered: k = round(w / scale). Dithered
(non-subtractive): k = round(w / scale + u), u ~ Uniform(-½, ½) per element, so E[k·scale] = w — the rounding
error is noise around w, not a fixed bias — and the network's prediction is the mean softmax over K dithered
copies (K = DRAWS). Every parameter tensor (W1, b1, W2, b2; W3, b3 with two hidden layers) gets its own scale.

A job trains one seed's network as the lab does and scores it in full precision and at every (bits, dither) on
the seed's evaluation set (lab/calibration.py). The summary pairs dithered − undithered per seed at each bit depth
for ECE and eval loss (predicted sign −1) and decides them together with lab/stats.py (bootstrap, Holm).
Headless: no pygame; run_job is a module-level function, so it pickles by reference for processes and Dask.
"""
from __future__ import annotations

import math
import os
import sys
import time

import numpy as np

from data.seeding import rng_for
from lab.calibration import eval_set, scores
from lab.stats import ALPHA, Comparison, bootstrap_interval, combined, decide
from network.mlp import MLP

MIN_BITS, MAX_BITS = 2, 16
DRAWS = 16                               # K: dithered copies averaged per prediction
DITHERS = ("none", "uniform")
METRICS = ("ece", "eval_loss", "eval_accuracy")
COMPARED = ("ece", "eval_loss")          # prediction 4 needs both to improve


def levels(bits: int) -> int:
    """L, the levels each side of zero: 1 at 2 bits, 127 at 8, 32,767 at 16."""
    if isinstance(bits, bool) or not isinstance(bits, (int, np.integer)) or not MIN_BITS <= bits <= MAX_BITS:
        raise ValueError(f"bits must be a whole number from {MIN_BITS} to {MAX_BITS}, got {bits!r}")
    return 2 ** (int(bits) - 1) - 1


def quantize(array, bits: int, rng: np.random.Generator | None = None) -> np.ndarray:
    """A new float64 array of array's shape on the grid k·scale, |k| ≤ L; dithered when rng is given."""
    top = levels(bits)
    w = np.asarray(array, dtype=np.float64)
    # The dither is drawn before looking at the values, so the stream advances by w.size whatever w holds.
    u = rng.uniform(-0.5, 0.5, size=w.shape) if rng is not None else 0.0
    peak = float(np.max(np.abs(w))) if w.size else 0.0
    if not math.isfinite(peak):
        raise ValueError("cannot quantize a tensor with non-finite values")
    if peak == 0.0:
        return np.zeros_like(w)
    scale = peak / top
    # Clip: w / scale + u can reach ±(L + ½), whose round-half-to-even would step outside the grid.
    return np.clip(np.round(w / scale + u), -top, top) * scale


def quantized_copy(net: MLP, bits: int, rng: np.random.Generator | None = None) -> MLP:
    """A new MLP whose every tensor is quantized (in net.names order, which fixes the dither draws); net is
    left as it was."""
    return MLP(*(quantize(p, bits, rng) for p in net.parameters().values()))


def dither_stream(seed: int, bits: int) -> np.random.Generator:
    """The dither draws of one seed at one bit depth: child `bits` of the seed's "quantize" stream, so a bit
    depth's numbers do not depend on which other depths were asked for (and draw k on K, since draws are
    taken copy by copy)."""
    levels(bits)
    return rng_for(seed, "quantize").spawn(MAX_BITS + 1)[bits]


def quantized_proba(net: MLP, X: np.ndarray, bits: int, dither: str = "none", draws: int = DRAWS,
                    rng: np.random.Generator | None = None) -> np.ndarray:
    """(n, 2) probabilities of net quantized to `bits` on X (n, 64). "none": one pass with the rounded weights;
    "uniform": the mean of the softmax over `draws` dithered copies, drawn from rng."""
    if dither not in DITHERS:
        raise ValueError(f"unknown dither {dither!r} (known: {', '.join(DITHERS)})")
    with np.errstate(over="ignore", invalid="ignore"):
        if dither == "none":
            return quantized_copy(net, bits).predict_proba(X)
        if rng is None:
            raise ValueError("dithered quantization needs a random generator")
        if isinstance(draws, bool) or not isinstance(draws, (int, np.integer)) or draws < 1:
            raise ValueError(f"draws must be a whole number >= 1, got {draws!r}")
        total = np.zeros((len(np.atleast_2d(X)), net.output_weights[1].size))
        for _ in range(draws):
            total += quantized_copy(net, bits, rng).predict_proba(X)
        return total / draws


def run_job(seed: int, bits, dithers, optimizer: str, epochs: int, draws: int = DRAWS) -> dict:
    """Train seed's 64-16-2 as the lab does (the optimizer's default rate), then score it in full precision and
    at every (bits, dither) on the seed's evaluation set. A diverged or dead run is scored nowhere and says so.
    {"seed", "diverged", "dead", "full_precision": scores | None, "rows": [{bits, dither, **scores}, …]}."""
    from data import make_dataset
    from network.optim import OPTIMIZERS
    from network.train import TrainConfig, Trainer
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {optimizer!r} (known: {', '.join(OPTIMIZERS)})")
    net = MLP.create(seed)
    trainer = Trainer(net, make_dataset(seed), TrainConfig(lr=OPTIMIZERS[optimizer].learning_rate,
                                                           optimizer=optimizer, max_epochs=epochs), seed=seed)
    trainer.train()
    result = {"seed": seed, "diverged": bool(trainer.diverged), "dead": bool(trainer.dead),
              "full_precision": None, "rows": []}
    if result["diverged"] or result["dead"]:
        return result
    X, y = eval_set(seed)
    with np.errstate(over="ignore", invalid="ignore"):
        result["full_precision"] = scores(net.predict_proba(X), y)
    for b in bits:
        for dither in dithers:
            rng = dither_stream(seed, b) if dither != "none" else None   # fresh per cell: same numbers each run
            probs = quantized_proba(net, X, b, dither, draws, rng)
            result["rows"].append({"bits": int(b), "dither": dither, **scores(probs, y)})
    return result


# -- the summary over seeds ----------------------------------------------------------------------------------------

def _number(value):
    """JSON has no NaN or inf: null instead."""
    return float(value) if value is not None and math.isfinite(value) else None


def _means(cells: list[dict], rng: np.random.Generator) -> dict:
    """Mean over seeds of each metric, with its 95% percentile-bootstrap interval (none below 2 seeds)."""
    out = {"seeds": len(cells)}
    for metric in METRICS:
        values = [cell[metric] for cell in cells]
        low, high = bootstrap_interval(values, rng) if len(values) >= 2 else (None, None)
        out.update({metric: _number(float(np.mean(values))) if values else None,
                    f"{metric}_low": _number(low), f"{metric}_high": _number(high)})
    return out


def rule(draws: int, comparisons: int) -> str:
    return (f"At each bit depth prediction 4 is supported when dithered (mean of {draws} "
            f"draw{'s' if draws != 1 else ''}) minus undithered, "
            f"paired by seed, is below 0 for both ECE and eval loss with a Holm-adjusted bootstrap p ≤ {ALPHA:g} "
            f"across all {comparisons} comparisons, refuted when either is significantly above 0, and "
            f"inconclusive otherwise.")


def summarize(jobs: list[dict], bits, dithers, draws: int) -> dict:
    """Rows of means per (bits, dither), the full-precision means, and the paired comparisons and verdicts."""
    usable = sorted((job for job in jobs if job["full_precision"] is not None), key=lambda job: job["seed"])
    cell = {(job["seed"], row["bits"], row["dither"]): row for job in usable for row in job["rows"]}
    intervals = np.random.default_rng(1)          # the rows' intervals; comparisons use their own generator
    rows = [{"bits": int(b), "dither": d, **_means([cell[job["seed"], b, d] for job in usable], intervals)}
            for b in bits for d in dithers]
    full = _means([job["full_precision"] for job in usable], intervals)
    comparisons, where = [], []
    if "none" in dithers and "uniform" in dithers:
        for b in bits:
            for metric in COMPARED:
                differences = [cell[job["seed"], b, "uniform"][metric] - cell[job["seed"], b, "none"][metric]
                               for job in usable]
                comparisons.append(Comparison(f"{b} bits · uniform − none · {metric}", differences, sign=-1))
                where.append((int(b), metric))
    decide(comparisons, np.random.default_rng(0))     # once for all: Holm across every comparison of the run
    verdicts = {b: combined(c.verdict for (bb, _), c in zip(where, comparisons) if bb == b)
                for b in dict.fromkeys(b for b, _ in where)}
    return {"rows": rows, "full_precision": full,
            "comparisons": [{"bits": b, "metric": metric, "mean": _number(c.mean), "low": _number(c.low),
                             "high": _number(c.high), "p": _number(c.p), "p_holm": _number(c.p_holm),
                             "verdict": c.verdict, "n": c.n, "notes": c.notes}
                            for (b, metric), c in zip(where, comparisons)],
            "verdicts": verdicts,
            "rule": rule(draws, len(comparisons)) if comparisons else
            "No verdict: prediction 4 compares dither uniform with none, so --dither needs both."}


def run_experiment(seeds, bits, dithers, optimizer: str, epochs: int, draws: int = DRAWS, *, job=None,
                   executor="process", workers: int | None = None, timeout: float = 10.0,
                   progress: bool = True) -> dict:
    """One job per seed on `executor` ("process", "dask:ADDRESS" or an Executor, shut down here), then the
    summary. A job that raises is listed in "failed" with its error, as is a diverged or dead run."""
    from concurrent.futures import Executor, as_completed
    from tqdm import tqdm
    from lab import executors
    started = time.perf_counter()
    bits, dithers = [int(b) for b in bits], list(dithers)
    pool, close = (executor, lambda: None) if isinstance(executor, Executor) else \
        executors.open_executor(executor, min(workers or os.cpu_count() or 1, len(seeds)), timeout)
    jobs, failed, futures = [], [], {}
    try:
        with tqdm(total=len(seeds), desc="quantize", unit="seed", file=sys.stderr, leave=False,
                  disable=True if os.environ.get("CI") or not progress else None) as bar:
            futures = {pool.submit(job or run_job, seed, bits, dithers, optimizer, epochs, draws): seed
                       for seed in seeds}
            for future in as_completed(futures):
                seed = futures.pop(future)
                try:
                    jobs.append(future.result())
                except Exception as error:
                    failed.append({"seed": seed, "reason": f"{type(error).__name__}: {error}"})
                bar.update()
    except KeyboardInterrupt:
        executors.stop(pool, futures)
        close()
        raise
    pool.shutdown(wait=True)
    close()
    failed += [{"seed": job["seed"], "reason": "diverged" if job["diverged"] else "dead"}
               for job in jobs if job["full_precision"] is None]
    failed.sort(key=lambda entry: entry["seed"])
    samples = next((job["full_precision"]["eval_samples"] for job in jobs if job["full_precision"]), None)
    return {**summarize(jobs, bits, dithers, draws), "draws": draws, "seeds": len(seeds), "eval_samples": samples,
            "bits": bits, "dithers": dithers, "optimizer": optimizer, "epochs": epochs,
            "seconds": round(time.perf_counter() - started, 2), "failed": failed}
