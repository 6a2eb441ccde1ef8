"""Training speed, measured: epochs per second of a training path, and the same net in PyTorch on the CPU when it
happens to be installed (a reference, never a dependency). NumPy only here; never imports pygame."""
from __future__ import annotations

import statistics
import time


def epochs_per_second(run_epochs, seconds: float) -> float:
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


def _torch_optimizer(torch, name: str, parameters, lr: float):
    """PyTorch's own optimizer doing what ours named `name` does, or None (normalized and muon have none)."""
    optim = torch.optim
    makers = {"sgd": lambda: optim.SGD(parameters, lr=lr),
              "momentum": lambda: optim.SGD(parameters, lr=lr, momentum=0.9),
              "rmsprop": lambda: optim.RMSprop(parameters, lr=lr, alpha=0.9, eps=1e-8),
              "adam": lambda: optim.Adam(parameters, lr=lr),
              "adamw": lambda: optim.AdamW(parameters, lr=lr, weight_decay=0.01)}
    return makers[name]() if name in makers else None


def torch_epochs_per_second(batch_size: int, seconds: float, optimizer: str = "sgd",
                            lr: float = 0.05) -> float | None:
    """The same net and optimizer in PyTorch on the CPU, if it happens to be installed (a reference, never
    required); None without PyTorch, or for an optimizer it lacks."""
    try:
        import torch
    except ImportError:
        return None
    from data import make_dataset
    data = make_dataset(42)
    X, y = torch.tensor(data.X_train), torch.tensor(data.y_train)
    model = torch.nn.Sequential(torch.nn.Linear(64, 16), torch.nn.ReLU(), torch.nn.Linear(16, 2)).double()
    opt = _torch_optimizer(torch, optimizer, model.parameters(), lr)
    if opt is None:
        return None
    generator = torch.Generator().manual_seed(0)

    def run(epochs: int) -> None:
        for _ in range(epochs):
            order = torch.randperm(len(y), generator=generator)
            for start in range(0, len(y), batch_size):
                idx = order[start:start + batch_size]
                opt.zero_grad()
                torch.nn.functional.cross_entropy(model(X[idx]), y[idx]).backward()
                opt.step()
    return epochs_per_second(run, seconds)
