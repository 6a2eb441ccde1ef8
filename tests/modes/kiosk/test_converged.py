"""An until-converged item ends on a network that has learned: the built-in item's floor (min_epochs) keeps it on
the wall past its early stop (at epoch 35-57 alone, 12-19 s), and a floor under the stop changes nothing."""
from __future__ import annotations

import dataclasses
import logging
import tomllib

import pytest

from illumination.modes.kiosk.attract import Kiosk
from illumination.modes.kiosk.playlist import (DEFAULT_PLAYLIST, PlaylistError, default_playlist, load_themes,
                                               parse_playlist)

WALL_SECONDS = 30.0     # the least an item that shows a network learning should last on the wall


@pytest.fixture(autouse=True)
def headless():
    from illumination.core.display import init_headless
    init_headless()


def play_to_the_end(playlist, seed: int, log=None):
    """The playlist's first item on seed `seed`, played on the fixed clock until it holds: (its trainer, seconds)."""
    item = dataclasses.replace(playlist.items[0], seed=seed)
    kiosk = Kiosk(dataclasses.replace(playlist, items=(item,)), (160, 90), **({"log": log} if log else {}))
    for _ in range(4000):
        if kiosk.phase != "play":
            break
        kiosk.update(0.1)
    assert kiosk.phase == "hold", f"seed {seed}: still {kiosk.phase} after 400 s"
    return kiosk.current.show.scene.trainer, kiosk.current.elapsed


def converged_item(**changes):
    table = next(t for t in tomllib.loads(DEFAULT_PLAYLIST.read_text())["item"] if t.get("until") == "converged")
    table = {**table, **changes}
    return load_themes(parse_playlist({"item": [{k: v for k, v in table.items() if v is not None}]}))[0]


@pytest.mark.parametrize("seed", [0, 1, 44])
def test_the_built_in_until_converged_item_ends_trained(seed):
    """Past its floor, with its training set learned. (Its test accuracy is the data's: 40 noisy test shapes give
    0.70-0.90 at any length of training, 0.725 on seeds 0 and 44, so it is only held well above chance.)"""
    playlist = default_playlist()
    item = next(i for i in playlist.items if i.until == "converged")
    assert item.floor is not None and item.floor / item.settings.speed >= WALL_SECONDS, \
        f"the built-in until-converged item has no floor sized for the wall ({item.floor} epochs)"
    trainer, seconds = play_to_the_end(dataclasses.replace(playlist, items=(item,)), seed)
    assert trainer.epoch >= item.floor, f"seed {seed}: ended at epoch {trainer.epoch}, under the floor {item.floor}"
    assert seconds >= WALL_SECONDS, f"seed {seed}: on the wall for {seconds:.0f} s"
    assert trainer.train_accuracy >= 0.9, f"seed {seed}: train accuracy {trainer.train_accuracy:.3f} at the end"
    assert trainer.test_accuracy >= 0.65, f"seed {seed}: test accuracy {trainer.test_accuracy:.3f} at the end"
    assert not trainer.diverged


def test_a_floor_under_the_early_stop_changes_nothing():
    """Seed 1 stops early at epoch 39 with or without a floor of 5: the floor never shortens or stretches it."""
    without, _ = play_to_the_end(converged_item(min_epochs=None), 1)
    under, _ = play_to_the_end(converged_item(min_epochs=5), 1)
    assert without.stopped_early and under.stopped_early
    assert under.epoch == without.epoch == 39 and under.test_accuracy == without.test_accuracy


def test_a_floor_above_the_stop_trains_on_to_it_and_says_so():
    records = []
    log = logging.getLogger("illumination.test.floor")
    log.setLevel(logging.INFO)
    log.addHandler(handler := logging.Handler())
    handler.emit = records.append
    trainer, _ = play_to_the_end(converged_item(min_epochs=60), 1, log)
    log.removeHandler(handler)
    assert trainer.epoch == 60 and trainer.finished and not trainer.stopped_early
    lines = [r.getMessage() for r in records if "floor" in r.getMessage()]
    assert len(lines) == 1 and "converged after 39 epochs, under its floor: training on to 60" in lines[0], lines


@pytest.mark.parametrize("table, problem", [
    ({"exhibit": "network", "epochs": 50, "min_epochs": 20},
     r'item\[0\]\.min_epochs: only with until = "converged"'),
    ({"exhibit": "network", "until": "converged", "min_epochs": 201}, r"item\[0\]\.min_epochs: .*200"),
    ({"exhibit": "network", "until": "converged", "min_epochs": 2.5}, r"item\[0\]\.min_epochs"),
    ({"exhibit": "landscape", "steps": 50, "min_steps": 20}, r"item\[0\]\.min_steps: unknown key"),
])
def test_a_floor_is_checked_at_the_door(table, problem):
    with pytest.raises(PlaylistError, match=problem):
        parse_playlist({"item": [table]})
