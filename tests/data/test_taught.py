"""Visitors' taught shapes: the scene key, the training data, and `train --scene` reporting them."""
import json

import numpy as np
import pytest

from data import make_dataset
from data.taught import MAX_TAUGHT, TAUGHT_COPIES, TaughtSample, parse_taught, taught_from_image, with_taught
from illumination.cli import main
from illumination.core.settings import load_settings
from illumination.exhibits.network.settings import NetworkSettings
from network.mlp import MLP

SQUARE = "0" * 16 + "00111100" * 4 + "0" * 16            # a filled 4x4 square in the middle
DISC = "00000000" "00011000" "00111100" "01111110" "01111110" "00111100" "00011000" "00000000"


def scene(tmp_path, entries: str, name="s.toml"):
    path = tmp_path / name
    path.write_text(f"taught = [{entries}]\nmax_epochs = 60\n", encoding="utf-8")
    return path


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_taught_sample_is_its_drawing_and_its_label():
    sample, = parse_taught([{"label": "square", "pixels": SQUARE}])
    assert sample.label_index == 1 and sample.image.shape == (64,)
    assert sample.image.reshape(8, 8)[2:6, 2:6].all() and sample.image.sum() == 16
    assert taught_from_image(sample.image.reshape(8, 8), 1) == sample
    assert taught_from_image(np.where(sample.image > 0, 0.7, 0.2), "square") == sample      # lit where >= 0.5


def test_taught_samples_go_first_in_the_training_set_and_never_into_the_test_set():
    data = make_dataset(3)
    taught = parse_taught([{"label": "square", "pixels": SQUARE}, {"label": "circle", "pixels": DISC}])
    grown = with_taught(data, taught)
    assert grown.X_train.shape == (240 + 2 * TAUGHT_COPIES, 64)
    assert grown.y_train[:2 * TAUGHT_COPIES].tolist() == [1] * TAUGHT_COPIES + [0] * TAUGHT_COPIES
    assert all(np.array_equal(grown.X_train[i], taught[i // TAUGHT_COPIES].image) for i in range(2 * TAUGHT_COPIES))
    assert np.array_equal(grown.X_train[2 * TAUGHT_COPIES:], data.X_train)
    assert with_taught(data, taught, copies=1).X_train.shape == (242, 64)
    assert grown.X_test is data.X_test and grown.y_test is data.y_test
    assert with_taught(data, ()) is data


@pytest.mark.parametrize("value, fragment", [
    ([{"label": "squar", "pixels": SQUARE}], "entry 1: label must be one of circle, square, got 'squar'"),
    ([{"label": "square", "pixels": SQUARE[:-1]}], "entry 1: pixels must be 64 characters of 0 and 1 (8 rows of 8), "
                                                   "got 63 characters"),
    ([{"label": "square", "pixels": SQUARE}, {"label": "circle", "pixels": SQUARE[:-1] + "2"}],
     "entry 2: pixels must be 64 characters of 0 and 1 (8 rows of 8), got 64 characters with other characters"),
    ([{"label": "square", "pixels": 5}], "got int"),
    ([{"label": "square"}], "entry 1: pixels must be 64 characters"),
    ([{"label": "square", "pixels": SQUARE, "colour": "red"}], "entry 1: unknown key 'colour'"),
    (["0101"], "entry 1 must be a table"),
    ("square", "must be a list like"),
    ([{"label": "square", "pixels": SQUARE}] * (MAX_TAUGHT + 1), f"at most {MAX_TAUGHT}"),
])
def test_a_bad_entry_names_itself(value, fragment):
    with pytest.raises(ValueError) as error:
        parse_taught(value)
    assert fragment in str(error.value)


def test_a_scene_with_taught_samples_saves_and_loads_the_same(tmp_path):
    settings = load_settings(NetworkSettings, scene(tmp_path, f'{{label = "square", pixels = "{SQUARE}"}}'))
    assert settings.taught == (TaughtSample("square", SQUARE),)
    again = tmp_path / "again.toml"
    again.write_text(settings.to_toml(), encoding="utf-8")
    assert load_settings(NetworkSettings, again) == settings
    assert settings.replace(seed=3).taught == settings.taught


def test_train_reports_each_taught_sample_and_is_bit_for_bit_reproducible(tmp_path, capsys):
    path = scene(tmp_path, f'{{label = "square", pixels = "{SQUARE}"}}, {{label = "circle", pixels = "{DISC}"}}')
    outputs = []
    for name in ("a.npz", "b.npz"):
        code, out, err = run(capsys, "train", "--scene", str(path), "--json", "--save-weights", str(tmp_path / name))
        assert code == 0, err
        outputs.append(json.loads(out))
    first, second = outputs
    assert first["taught_samples"] == 2 and first["taught"] == second["taught"]
    assert [t["label"] for t in first["taught"]] == ["square", "circle"]
    a, b = np.load(tmp_path / "a.npz"), np.load(tmp_path / "b.npz")
    assert all(a[k].tobytes() == b[k].tobytes() for k in a.files)
    # the reported probability is the saved network's own forward pass on the drawing
    net = MLP(a["W1"], a["b1"], a["W2"], a["b2"])
    for entry, pixels, label in zip(first["taught"], (SQUARE, DISC), (1, 0)):
        image = TaughtSample("square", pixels).image
        assert entry["probability"] == pytest.approx(float(net.forward(image[None]).probs[0, label]), rel=1e-12)
    # and the taught samples were trained on: without them the weights differ
    code, out, _ = run(capsys, "train", "--epochs", "60", "--json", "--save-weights", str(tmp_path / "c.npz"))
    assert json.loads(out)["taught_samples"] == 0 and "taught" not in json.loads(out)
    assert np.load(tmp_path / "c.npz")["W1"].tobytes() != a["W1"].tobytes()


@pytest.mark.parametrize("entries, fragment", [
    ('{label = "square", pixels = "0101"}', "taught: entry 1: pixels must be 64 characters"),
    (f'{{label = "triangle", pixels = "{SQUARE}"}}', "taught: entry 1: label must be one of circle, square"),
])
def test_a_bad_taught_entry_is_one_line_and_exit_2(tmp_path, capsys, entries, fragment):
    code, out, err = run(capsys, "train", "--scene", str(scene(tmp_path, entries)), "--json")
    assert code == 2 and out == "" and err.count("\n") == 1 and fragment in err and "Traceback" not in err
