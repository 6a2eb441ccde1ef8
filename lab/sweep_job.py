"""One combination of a sweep (experiment sweep): train a seed's network under one noise (and schedule) with one
optimizer, measure it where its training loss first reaches the target, follow its trajectory to the end. A pure
function of its arguments (headless; runs in worker processes or on Dask workers)."""
from __future__ import annotations

import time

from data import make_dataset
from data.seeding import rng_for
from lab.calibration import generalisation
from lab.sharpness import measure
from lab.sweep_results import COLUMNS
from lab.trajectory import Trajectory
from network.mlp import MLP
from network.noise import parse_noise
from network.optim import OPTIMIZERS
from network.train import TrainConfig, Trainer

QUANTIZE_BITS = 4     # prediction 4 in the sweep: the no-noise runs' nets quantized to this depth at inference


def parse_condition(noise: str):
    """"MODE:MAGNITUDE" or "MODE:MAGNITUDE@SCHEDULE" (e.g. sgld:1e-3@cyclical) → a NoiseSpec; ValueError if bad."""
    spec_text, at, schedule = noise.partition("@")
    if at and not schedule.strip():
        raise ValueError(f"a schedule name must follow @ in {noise!r}")
    return parse_noise(spec_text, schedule.strip() if at else "constant")


def condition_name(noise: str) -> str:
    """The one spelling of a condition: sgld:1e-4 and sgld:0.0001 are one run, written sgld:0.0001 (the shortest
    text that reads back as the same float); a constant schedule is not written."""
    spec = parse_condition(noise)
    if spec.mode == "none":
        name = "none"
    else:
        name = f"{spec.mode}:{float(spec.magnitude)!r}"
    return name if spec.schedule == "constant" else f"{name}@{spec.schedule}"


def _point(trainer, seed: int) -> dict:
    """Sharpness and generalisation of the trainer's current weights (the training samples only)."""
    net, data, n = trainer.net, trainer.data, trainer.n_train
    sharp = measure(net, data.X_train[:n], data.y_train[:n], rng_for(seed, "sharpness"))
    return {"train_loss": trainer.train_loss(), "test_loss": trainer.test_loss,
            "train_accuracy": trainer.train_accuracy, "test_accuracy": trainer.test_accuracy,
            **generalisation(net, seed), **sharp.fields()}


def _quantized(net, seed: int) -> dict:
    """The final net quantized to QUANTIZE_BITS at inference, without and with dither (lab/quantize.py)."""
    from lab.calibration import eval_set, scores
    from lab.quantize import DRAWS, dither_stream, quantized_proba
    X, y = eval_set(seed)
    plain = scores(quantized_proba(net, X, QUANTIZE_BITS, "none"), y)
    dithered = scores(quantized_proba(net, X, QUANTIZE_BITS, "uniform", DRAWS, dither_stream(seed, QUANTIZE_BITS)), y)
    return {"quant_bits": QUANTIZE_BITS, "quant_ece": plain["ece"], "quant_dithered_ece": dithered["ece"],
            "quant_eval_loss": plain["eval_loss"], "quant_dithered_eval_loss": dithered["eval_loss"]}


def run_job(seed: int, noise: str, optimizer: str, epochs: int, match_train_loss: float | None = None) -> dict:
    """Train 64-16-2 on seed's data (240 samples, batch 16, the optimizer's default learning rate) for `epochs`
    under `noise`. Where the clean training loss first reaches `match_train_loss`, measure the weights: clean
    train/test loss and accuracy, the evaluation set's eval_loss/eval_accuracy/ece (10,000 shapes), and the
    sharpness (Hutchinson trace, 20 probes, with its standard error; the largest and smallest eigenvalues, 30
    Lanczos steps; exact Hessian-vector products). Without a target, or if it is never reached, the same is
    measured at the end (measured_at "end"). Training always runs all epochs: the final eval scores, the escape
    events and the late-training variance (lab/trajectory.py) cover the whole run."""
    spec = parse_condition(noise)
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {optimizer!r}; choose one of: {', '.join(sorted(OPTIMIZERS))}")
    started = time.perf_counter()
    net = MLP.create(seed)
    trainer = Trainer(net, make_dataset(seed),
                      TrainConfig(lr=OPTIMIZERS[optimizer].learning_rate, optimizer=optimizer, max_epochs=epochs,
                                  noise=spec, match_train_loss=match_train_loss, stop_at_match=False), seed=seed)
    trajectory = Trajectory(rng_for(seed, "trajectory"))
    trajectory.begin(trainer)
    point = None
    while not trainer.finished:
        trainer.train(1)
        if trainer.diverged or trainer.dead:
            break
        trajectory.after_epoch(trainer)
        if point is None and trainer.matched_epoch == trainer.epoch:
            point = _point(trainer, seed)
    failed = trainer.diverged or trainer.dead
    row = dict.fromkeys(COLUMNS)                        # a measurement that was not taken stays None (an empty cell)
    row.update({"seed": seed, "noise": noise, "noise_mode": spec.mode, "noise_magnitude": spec.magnitude,
           "schedule": spec.schedule, "optimizer": optimizer, "epochs": epochs, "match_train_loss": match_train_loss,
           "matched_epoch": trainer.matched_epoch, "measured_at": "match" if point else "end", "diverged": failed})
    if not failed:
        final = generalisation(net, seed)
        row.update(point or _point(trainer, seed), final_train_loss=trajectory.losses[-1],
                   final_eval_loss=final["eval_loss"], final_eval_accuracy=final["eval_accuracy"],
                   final_ece=final["ece"], **trajectory.fields(epochs))
        if spec.mode == "none":
            row.update(_quantized(net, seed))
    row["seconds"] = round(time.perf_counter() - started, 4)
    return row
