"""`illumination train` (headless training, with a progress bar) and `illumination bench train`."""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from illumination.cli.args import (SettingsFlagType, add_log_flags, add_metric_flags, add_settings_flags,
                                   bounded_float, bounded_whole, fail, log_sink, open_metric_stream, report,
                                   positive_float, settings_from)


def register(commands, benches) -> None:
    from illumination.exhibits import get_exhibit
    from illumination.core.flags import parser_of
    from illumination.exhibits.network.settings import NetworkSettings
    from themes.schema import fields_of
    train = commands.add_parser("train", help="train headless and report")
    add_settings_flags(train, [get_exhibit("network")], view=False)     # the network's run, nothing drawn
    train.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    train.add_argument("--save-weights", metavar="FILE.npz", help="write the trained parameters (W1, b1, W2, b2; "
                                                                        "and W3, b3 with --hidden 16,16)")
    train.add_argument("--overwrite", action="store_true",
                       help="replace an existing --save-weights or --metrics-out file")
    train.add_argument("--backend", choices=("numba", "numpy"), default="numba")
    add_log_flags(train, "on stdout (on stderr with --json, whose stdout is one JSON object)")
    train.add_argument("--sharpness", action="store_true",
                       help="add hessian_trace (Hutchinson, 20 probes) with its standard error hessian_trace_se, and "
                            "hessian_top_eigenvalue and hessian_min_eigenvalue (Lanczos), of the final weights on "
                            "the training set, from exact Hessian-vector products")
    train.add_argument("--match-train-loss", type=positive_float("--match-train-loss"), metavar="LOSS",
                       help="stop when the training loss (mean cross-entropy of the clean training set, checked after "
                            "every epoch) first reaches LOSS; --max-epochs caps the run")
    add_metric_flags(train)
    train.set_defaults(handler=train_command)

    bench_train = benches.add_parser("train", help="epochs per second of each training path")
    bench_train.add_argument("--batch-size", type=bounded_whole("batch size", 1, 1000), default=16,
                             help="1 to 1,000, as train allows (default 16)")
    bench_train.add_argument("--seconds", type=bounded_float("seconds", 0.01, 600.0), default=2.0,
                             help="time per path, 0.01 to 600 (default 2)")
    noise = parser_of(fields_of(NetworkSettings)["noise_mode"])        # read as train reads it
    bench_train.add_argument("--noise", type=SettingsFlagType("--noise", {"network": noise}), default=None,
                             help="train under noise (e.g. input_jitter:0.1, sgld:1e-4): the noisy fast path's speed")
    from network.optim import OPTIMIZERS       # names read now: a newly registered optimizer shows
    bench_train.add_argument("--optimizer", type=optimizer_type, default="sgd",
                             help=f"{', '.join(OPTIMIZERS)} (default sgd), each at its usual learning rate "
                                  f"(PyTorch runs its own, where it has one)")
    bench_train.add_argument("--json", action="store_true")
    bench_train.set_defaults(handler=bench_train_command)


def optimizer_type(name: str) -> str:
    from network.optim import OPTIMIZERS
    if name not in OPTIMIZERS:
        raise argparse.ArgumentTypeError(f"unknown optimizer {name!r}; choose one of: {', '.join(sorted(OPTIMIZERS))}")
    return name


def check_weights_target(path: str, overwrite: bool) -> Path:
    """The --save-weights target, checked before any training (so a typo costs nothing): SystemExit with one line
    and exit 2 if it cannot be used."""
    from illumination.core.frames import ExportError
    from illumination.core.frames.base import check_names
    if not path.strip():
        raise SystemExit(fail("--save-weights needs a file name ending in .npz, got an empty one"))
    target = Path(path).expanduser()
    if target.suffix != ".npz":
        raise SystemExit(fail(f"--save-weights needs a .npz file name, got {path!r}"))
    try:
        check_names(target)
    except ExportError as error:
        raise SystemExit(fail(f"--save-weights: {error}")) from None
    if not target.parent.is_dir():
        raise SystemExit(fail(f"cannot save weights: directory {target.parent} does not exist"))
    if not os.access(target.parent, os.W_OK | os.X_OK):
        raise SystemExit(fail(f"cannot save weights: directory {target.parent} is not writable"))
    if target.exists() and not overwrite:
        raise SystemExit(fail(f"{target} exists; pass --overwrite to replace it"))
    return target


def _write_npz(net, target: Path) -> None:
    """W1, b1, W2, b2 (, W3, b3) as plain arrays (loads with allow_pickle=False), written under a short temp name and renamed."""
    temporary = target.with_name(f".{target.stem[:40]}.partial-{os.getpid()}.npz")
    try:
        np.savez(temporary, **net.parameters())
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def save_weights(net, target: Path, seed: int) -> None:
    """Write the trained weights; if the target fails now (full disk, a directory gone read-only), the result is
    not lost: it goes to the temp directory and the one-line error says where (exit 1)."""
    try:
        _write_npz(net, target)
        return
    except OSError as error:
        reason = error.strerror or str(error)
    rescue = Path(tempfile.gettempdir()) / f"neural-illumination-weights-seed{seed}-{os.getpid()}.npz"
    try:
        _write_npz(net, rescue)
    except OSError as error:
        raise SystemExit(fail(f"cannot save weights to {target}: {reason} (nor to {rescue}: "
                              f"{error.strerror or error})", 1)) from None
    raise SystemExit(fail(f"cannot save weights to {target}: {reason}; the trained weights are safe in {rescue}", 1))


def train_command(args) -> int:
    from illumination.core.settings import SettingsError
    from illumination.exhibits.network.trainer import make_trainer
    _, settings = settings_from(args, "network")
    target = check_weights_target(args.save_weights, args.overwrite) if args.save_weights is not None else None
    if args.overwrite and args.save_weights is None and args.metrics_out is None:
        raise SettingsError(["--overwrite applies only with --save-weights or --metrics-out"])
    stream = open_metric_stream(args, taken={"--save-weights": target})     # checked and opened before any work
    try:
        epochs = 0 if args.zero_count else settings.max_epochs
        trainer = make_trainer(settings, backend=args.backend, max_epochs=epochs,
                               match_train_loss=args.match_train_loss)
        sink = log_sink(args, sys.stderr if args.json else sys.stdout)
        if sink is not None:
            from network.trainlog import TrainingLog
            TrainingLog(trainer, sink, settings.seed)
        if stream is not None:
            from lab.epoch_metrics import EpochMetrics
            EpochMetrics(trainer, stream.publish, settings.seed, args.sharpness_every)
        return _train_and_report(args, settings, trainer, target, epochs)
    finally:
        if stream is not None:
            stream.close()


def _taught_probabilities(net, taught) -> list[float]:
    import numpy as np
    probs = net.forward(np.stack([sample.image for sample in taught])).probs        # (k, 2)
    return [float(probs[i, sample.label_index]) for i, sample in enumerate(taught)]


def _train_and_report(args, settings, trainer, target, epochs) -> int:
    from tqdm import tqdm
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
        "dead": trainer.dead,
        "seconds": round(seconds, 6),
        "epochs_per_second": round(trainer.epoch / seconds, 3) if seconds > 0 else None,
        "parameters": net.n_parameters,
        "hidden_layers": net.hidden_layers,
        "architecture": "-".join(str(n) for n in (64, *[net.hidden] * net.hidden_layers, 2)),
        "noise": trainer.noise.spec.label,
        "schedule": settings.schedule,
        "taught_samples": len(settings.taught),
    }
    if settings.taught:       # each visitor's shape: the final probability the network gives the label it was taught
        result["taught"] = [{"label": sample.label, "pixels": sample.pixels,
                             "probability": None if trainer.diverged else probability}
                            for sample, probability in zip(settings.taught, _taught_probabilities(net, settings.taught))]
    if args.match_train_loss is not None:
        result.update(match_train_loss=args.match_train_loss, matched_epoch=trainer.matched_epoch,
                      reached=trainer.matched_epoch is not None)
    if args.sharpness and not (trainer.diverged or trainer.dead):
        from data.seeding import rng_for
        from lab.sharpness import measure
        n = trainer.n_train
        sharp = measure(net, data.X_train[:n], data.y_train[:n], rng_for(settings.seed, "sharpness"))
        result.update(sharp.fields(), hessian_probes=sharp.probes, hessian_iterations=sharp.iterations)
    failed = trainer.diverged or trainer.dead
    if target is not None and not failed:
        save_weights(net, target, settings.seed)
    if args.json:
        print(json.dumps(result))
    elif not failed:
        print(f"seed {settings.seed}: {trainer.epoch} epochs in {seconds:.2f} s "
              f"({result['epochs_per_second']:.0f} epochs/s) — loss {result['final_loss']:.4f}, "
              f"train accuracy {result['train_accuracy']:.3f}, test accuracy {result['test_accuracy']:.3f}")
        if target is not None:
            print(f"weights written to {target}")
    if trainer.diverged:          # a failure is one line on stderr (exit 3), with --json too
        return fail(f"seed {settings.seed}: training diverged at epoch {trainer.epoch} (try a smaller --lr)", 3)
    if trainer.dead:
        return fail(f"seed {settings.seed}: every hidden neuron went silent by epoch {trainer.epoch}, so the network "
                    f"can no longer learn (a dead network; try a smaller --lr or a larger --batch-size)", 3)
    return 0


def bench_train_command(args) -> int:
    from illumination.core.flags import WrongKind
    from illumination.exhibits.network.settings import NetworkSettings
    from illumination.exhibits.network.trainer import make_trainer
    from lab.benchmark import epochs_per_second, torch_epochs_per_second
    noise = {}
    if args.noise is not None:
        try:
            spec = args.noise.value_for("network")
        except WrongKind:
            return fail(f"--noise is none or MODE:MAGNITUDE (e.g. input_jitter:0.1), got {float(args.noise.text):g}")
        noise = {"noise_mode": spec.mode, "noise_magnitude": spec.magnitude}
    from network.optim import OPTIMIZERS
    lr = OPTIMIZERS[args.optimizer].learning_rate
    settings = NetworkSettings(batch_size=args.batch_size, max_epochs=10**9, optimizer=args.optimizer,
                               learning_rate=lr, **noise)                               # runs as long as timed
    rates = {}
    for backend in ("numba", "numpy"):
        trainer = make_trainer(settings, backend=backend)
        rates[backend] = epochs_per_second(lambda n: trainer.train(n), args.seconds)
    torch_rate = torch_epochs_per_second(args.batch_size, args.seconds, args.optimizer, lr)
    result = {
        "batch_size": args.batch_size,
        "samples": settings.samples,
        "noise": settings.noise_spec.label,
        "optimizer": args.optimizer,
        "numba_epochs_per_s": round(rates["numba"], 1),
        "numpy_epochs_per_s": round(rates["numpy"], 1),
        "torch_epochs_per_s": None if torch_rate is None else round(torch_rate, 1),
        "numba_over_numpy": round(rates["numba"] / rates["numpy"], 2),
        "numba_over_torch": None if torch_rate is None else round(rates["numba"] / torch_rate, 2),
        "statistic": "median of timed chunks, exact train/test evaluation after every epoch included",
    }
    return report(result, args.json)
