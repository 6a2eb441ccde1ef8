"""One combination of a sweep (experiment sweep): train a seed's network under one noise with one optimizer, then
measure it. Pure function of its arguments (headless; runs in worker processes or on Dask workers)."""
from __future__ import annotations

import time

from data import make_dataset
from data.seeding import rng_for
from network.mlp import MLP
from network.noise import parse_noise
from network.optim import OPTIMIZERS
from lab.sharpness import measure
from network.train import TrainConfig, Trainer


def run_job(seed: int, noise: str, optimizer: str, epochs: int) -> dict:
    """Train 64-16-2 on seed's data (240 samples, batch 16, the optimizer's default learning rate) for `epochs`
    under `noise`, then report clean train/test loss and accuracy and the sharpness of the final weights on the
    training set (Hutchinson trace, 20 probes, with its standard error; the largest and smallest eigenvalues, 30
    Lanczos steps; all from exact Hessian-vector products)."""
    spec = parse_noise(noise)
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {optimizer!r}; choose one of: {', '.join(sorted(OPTIMIZERS))}")
    started = time.perf_counter()
    data = make_dataset(seed)
    net = MLP.create(seed)
    trainer = Trainer(net, data, TrainConfig(lr=OPTIMIZERS[optimizer].learning_rate, optimizer=optimizer,
                                             max_epochs=epochs, noise=spec), seed=seed)
    trainer.train()
    failed = trainer.diverged or trainer.dead
    row = {"seed": seed, "noise": noise, "noise_mode": spec.mode, "noise_magnitude": spec.magnitude,
           "optimizer": optimizer, "epochs": epochs, "train_loss": None, "test_loss": None, "train_accuracy": None,
           "test_accuracy": None, "hessian_trace": None, "hessian_trace_se": None, "hessian_top_eigenvalue": None,
           "hessian_min_eigenvalue": None, "diverged": failed}
    if not failed:
        sharp = measure(net, data.X_train, data.y_train, rng_for(seed, "sharpness"))
        row.update(train_loss=net.loss(data.X_train, data.y_train), test_loss=trainer.test_loss,
                   train_accuracy=trainer.train_accuracy, test_accuracy=trainer.test_accuracy, **sharp.fields())
    row["seconds"] = round(time.perf_counter() - started, 4)
    return row
