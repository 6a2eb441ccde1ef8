"""The network, data and trainer of one run: everything derived from the settings' seed."""
from __future__ import annotations


def make_trainer(settings, backend: str = "numba", max_epochs: int | None = None,
                 match_train_loss: float | None = None):
    from data import make_dataset
    from data.taught import with_taught
    from network import MLP, TrainConfig, Trainer
    data = with_taught(make_dataset(settings.seed, settings.samples), settings.taught)   # visitors' shapes first
    net = MLP.create(settings.seed, settings.hidden_size, settings.hidden_layers)
    config = TrainConfig(lr=settings.learning_rate, batch_size=settings.batch_size,
                         max_epochs=settings.max_epochs if max_epochs is None else max_epochs,
                         optimizer=settings.optimizer, backend=backend, early_stop=settings.early_stop,
                         noise=settings.noise_spec, match_train_loss=match_train_loss)
    return Trainer(net, data, config, seed=settings.seed)
