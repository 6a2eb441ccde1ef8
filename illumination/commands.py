"""Headless subcommands: `train` and `bench train`. Visual commands register from their own modules."""
from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np


def make_trainer(settings, backend: str = "numba", max_epochs: int | None = None):
    """The network, data and trainer of one run — everything derived from the settings' seed."""
    from data import make_dataset
    from network import MLP, TrainConfig, Trainer
    data = make_dataset(settings.seed, settings.samples)
    net = MLP.create(settings.seed, settings.hidden_size)
    config = TrainConfig(lr=settings.learning_rate, batch_size=settings.batch_size,
                         max_epochs=settings.max_epochs if max_epochs is None else max_epochs,
                         optimizer=settings.optimizer, backend=backend, early_stop=settings.early_stop)
    return Trainer(net, data, config, seed=settings.seed)


def save_weights(net, path: str) -> None:
    """Write W1, b1, W2, b2 to an .npz atomically (plain arrays: loads with allow_pickle=False)."""
    target = Path(path)
    if target.suffix != ".npz":
        raise SystemExit(_fail(f"--save-weights needs a .npz file name, got {path!r}", 2))
    if not target.parent.resolve().is_dir():
        raise SystemExit(_fail(f"cannot save weights: directory {target.parent} does not exist", 2))
    temporary = target.with_name(f".{target.name}.partial.npz")
    try:
        np.savez(temporary, **net.parameters())
        os.replace(temporary, target)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise SystemExit(_fail(f"cannot save weights to {target}: {error.strerror or error}", 1)) from None


def report(result: dict, as_json: bool) -> int:
    """A command's result: one JSON object on stdout (--json), or aligned key: value lines for people."""
    if as_json:
        print(json.dumps(result))
    else:
        width = max(map(len, result), default=0)
        for key, value in result.items():
            print(f"{key:>{width}}: {value}")
    return 0


def _fail(message: str, code: int) -> int:
    sys.stderr.write(f"illumination: error: {message}\n")
    return code


def train_command(args) -> int:
    from tqdm import tqdm
    from illumination.cli import settings_from
    settings = settings_from(args)
    epochs = 0 if getattr(args, "zero_epochs", False) else settings.max_epochs
    trainer = make_trainer(settings, backend=args.backend, max_epochs=epochs)
    started = time.perf_counter()
    with tqdm(total=epochs, desc=f"seed {settings.seed}", unit="epoch", file=sys.stderr, leave=False,
              disable=None if not os.environ.get("CI") else True) as bar:
        def on_epoch(epoch: int) -> None:
            bar.update(1)
            if epoch % 10 == 0:
                bar.set_postfix(loss=f"{trainer.last_loss:.4f}", test=f"{trainer.test_accuracy:.3f}")
        trainer.train(on_epoch=on_epoch)
    seconds = time.perf_counter() - started
    net, data = trainer.net, trainer.data
    result = {
        "seed": settings.seed,
        "epochs": trainer.epoch,
        "batch_size": settings.batch_size,
        "learning_rate": settings.learning_rate,
        "optimizer": settings.optimizer,
        "backend": args.backend,
        "steps": trainer.step_count,
        "final_loss": None if trainer.diverged else net.loss(data.X_train, data.y_train),
        "test_loss": None if trainer.diverged else trainer.test_loss,
        "train_accuracy": None if trainer.diverged else trainer.train_accuracy,
        "test_accuracy": None if trainer.diverged else trainer.test_accuracy,
        "diverged": trainer.diverged,
        "seconds": round(seconds, 6),
        "epochs_per_second": round(trainer.epoch / seconds, 3) if seconds > 0 else None,
        "parameters": net.n_parameters,
    }
    if args.save_weights and not trainer.diverged:
        save_weights(net, args.save_weights)
    if args.json:
        print(json.dumps(result))
    else:
        if trainer.diverged:
            print(f"seed {settings.seed}: training diverged at epoch {trainer.epoch} (try a smaller --lr)")
        else:
            print(f"seed {settings.seed}: {trainer.epoch} epochs in {seconds:.2f} s "
                  f"({result['epochs_per_second']:.0f} epochs/s) — loss {result['final_loss']:.4f}, "
                  f"train accuracy {result['train_accuracy']:.3f}, test accuracy {result['test_accuracy']:.3f}")
        if args.save_weights and not trainer.diverged:
            print(f"weights written to {args.save_weights}")
    return 3 if trainer.diverged else 0


def _epochs_per_second(run_epochs, seconds: float) -> float:
    """Median rate over short timed chunks (the machine is noisy; a median is robust to hiccups)."""
    run_epochs(2)  # warm-up: compile, caches
    rates, deadline, chunk = [], time.perf_counter() + seconds, 1
    while time.perf_counter() < deadline or len(rates) < 5:
        started = time.perf_counter()
        run_epochs(chunk)
        elapsed = time.perf_counter() - started
        rates.append(chunk / elapsed)
        if elapsed < 0.05:
            chunk *= 2
    return statistics.median(rates)


def _torch_epochs_per_second(batch_size: int, seconds: float) -> float | None:
    """The same net and SGD in PyTorch on the CPU, if it happens to be installed (a reference, never required)."""
    try:
        import torch
    except ImportError:
        return None
    from data import make_dataset
    data = make_dataset(42)
    X, y = torch.tensor(data.X_train), torch.tensor(data.y_train)
    model = torch.nn.Sequential(torch.nn.Linear(64, 16), torch.nn.ReLU(), torch.nn.Linear(16, 2)).double()
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    generator = torch.Generator().manual_seed(0)

    def run(epochs: int) -> None:
        for _ in range(epochs):
            order = torch.randperm(len(y), generator=generator)
            for start in range(0, len(y), batch_size):
                idx = order[start:start + batch_size]
                opt.zero_grad()
                torch.nn.functional.cross_entropy(model(X[idx]), y[idx]).backward()
                opt.step()
    return _epochs_per_second(run, seconds)


def bench_train_command(args) -> int:
    from illumination.config import Settings
    settings = Settings(batch_size=args.batch_size, max_epochs=10**9)
    rates = {}
    for backend in ("numba", "numpy"):
        trainer = make_trainer(settings, backend=backend)
        rates[backend] = _epochs_per_second(lambda n: trainer.train(n), args.seconds)
    torch_rate = _torch_epochs_per_second(args.batch_size, args.seconds)
    result = {
        "batch_size": args.batch_size,
        "samples": settings.samples,
        "numba_epochs_per_s": round(rates["numba"], 1),
        "numpy_epochs_per_s": round(rates["numpy"], 1),
        "torch_epochs_per_s": None if torch_rate is None else round(torch_rate, 1),
        "numba_over_numpy": round(rates["numba"] / rates["numpy"], 2),
        "statistic": "median of timed chunks, exact train/test evaluation after every epoch included",
    }
    return report(result, args.json)


def register_visual_commands(commands, add_training_flags, add_view_flags, size_type, positive_float, count_type):
    """Subcommands that draw (run, snapshot, export, kiosk, bench render/export) live in their own modules."""
    from illumination import visual_commands
    visual_commands.register(commands, add_training_flags, add_view_flags, size_type, positive_float, count_type)
