"""Teaching the live network a visitor's drawing (scene.teach): what it learns, and what it keeps."""
import numpy as np
import pytest

from data.drawing import normalise_drawing
from data.taught import TAUGHT_COPIES
from illumination.exhibits.network.scene import NetworkScene
from illumination.exhibits.network.settings import NetworkSettings
from illumination.exhibits.network.teaching import TEACH_EPOCHS

YS, XS = np.mgrid[0:8, 0:8]
SEEDS = range(10)


def square(side: int, top: int = 0, left: int = 0) -> np.ndarray:
    image = np.zeros((8, 8))
    image[top:top + side, left:left + side] = 1
    return image


def disc(diameter: int, top: int = 0, left: int = 0) -> np.ndarray:
    middle = (diameter - 1) / 2
    return (np.hypot(YS - top - middle, XS - left - middle) < diameter / 2 - 0.25).astype(float)


def trained(seed: int) -> NetworkScene:
    scene = NetworkScene(NetworkSettings(seed=seed))
    scene.trainer.train()                                     # the default run: 200 epochs
    return scene


def share_right(scenes, make, label: int) -> dict[int, float]:
    """Per size 3..8: the share of networks that judge every placement of that shape right, as the pad shows it."""
    shares = {}
    for size in range(3, 9):
        images = np.array([normalise_drawing(make(size, top, left))
                           for top in range(9 - size) for left in range(9 - size)])
        shares[size] = float(np.mean([(s.trainer.net.predict_proba(images).argmax(axis=1) == label).all()
                                      for s in scenes]))
    return shares


@pytest.fixture(scope="module")
def scenes():
    return [trained(seed) for seed in SEEDS]


def test_filled_squares_of_every_size_are_judged_squares_by_trained_networks(scenes):
    """Untaught: the drawing, centred and scaled, is a square the networks know (raw, a 6x6 square was a circle)."""
    assert all(share >= 0.9 for share in share_right(scenes, square, 1).values())


def test_two_taught_discs_teach_every_disc_from_3_to_8_px_and_squares_stay_squares():
    """The networks learned ragged circles and call a crisp disc a square; a visitor teaches a small and a large
    disc, training goes on, and discs of every size are circles in at least 9 networks of 10."""
    taught = []
    for seed in SEEDS:
        scene = trained(seed)
        for drawing in (disc(6), disc(8)):
            scene.show_drawing(drawing.ravel())
            assert scene.teach(0) is not None
        scene.trainer.train()                                 # the TEACH_EPOCHS it resumed for
        assert scene.trainer.epoch == 200 + TEACH_EPOCHS
        taught.append(scene)
    assert all(share >= 0.9 for share in share_right(taught, disc, 0).values())
    assert all(share >= 0.9 for share in share_right(taught, square, 1).values())


def test_a_taught_sample_enters_training_its_confidence_climbs_and_the_oldest_leaves():
    scene = trained(3)
    scene.show_drawing(disc(6).ravel())
    sample = scene.teach(0, limit=2)
    assert sample.label == "circle" and np.array_equal(sample.image, scene.drawing)
    epochs = scene.trainer.epoch
    scene.trainer.train(epochs=1)
    scene._take(scene.trainer.snapshot())                      # what update() does after training
    data = scene.trainer.data
    assert data.X_train.shape[0] == 240 + TAUGHT_COPIES and np.array_equal(data.X_train[0], scene.drawing)
    while not scene.trainer.finished:                          # the TEACH_EPOCHS it resumed for
        scene.trainer.train(epochs=1)
        scene._take(scene.trainer.snapshot())
    history = scene.teaching.history[0]
    assert [epoch for epoch, _ in history] == list(range(epochs, epochs + TEACH_EPOCHS + 1))   # one point an epoch
    assert history[0][1] < 0.5 < history[-1][1]                 # called a square when taught; a circle at the end
    for drawing, label in ((square(5).ravel(), 1), (disc(3).ravel(), 0)):      # two more with a limit of 2
        scene.show_drawing(drawing)
        scene.teach(label, limit=2)
    assert [s.label for s in scene.teaching.samples] == ["square", "circle"] and len(scene.teaching.history) == 2
    scene.trainer.train(epochs=1)
    assert scene.trainer.data.X_train.shape[0] == 240 + 2 * TAUGHT_COPIES


def test_nothing_to_teach_without_a_drawing_or_on_a_diverged_run():
    scene = NetworkScene(NetworkSettings(seed=1))
    assert scene.teach(0) is None
    scene.show_drawing(np.zeros(64))
    assert scene.teach(1) is None                               # an empty pad teaches nothing
    scene.show_drawing(disc(5).ravel())
    scene.provoke_divergence()
    for _ in range(20):
        scene.update(0.1)
        if scene.diverged_for is not None:
            break
    assert scene.diverged_for is not None and scene.teach(0) is None


def test_teaching_is_in_the_training_log_as_a_replayable_entry():
    from network.trainlog import describe
    events = []
    scene = NetworkScene(NetworkSettings(seed=2))
    scene.attach_log(events.append)
    scene.show_drawing(disc(5).ravel())
    sample = scene.teach(0)
    taught, = [e for e in events if e["event"] == "taught"]
    assert (taught["label"], taught["pixels"], taught["taught_samples"]) == ("circle", sample.pixels, 1)
    line, = describe(taught)
    assert line.endswith(sample.to_toml()) and line.startswith("taught at epoch 0: a circle (1 taught shape in")


def test_the_gallery_shows_taught_shapes_in_their_own_outline_with_their_confidence():
    from illumination.core.display import init_headless
    from illumination.core.show import make_show
    from illumination.exhibits import get_exhibit
    import pygame
    init_headless()
    show = make_show(get_exhibit("network"), NetworkSettings(seed=3, composition="gallery"), (1920, 1080))
    surface = pygame.Surface((1920, 1080))
    show.draw(surface)
    before = pygame.image.tobytes(surface, "RGB")
    show.scene.show_drawing(disc(6).ravel())
    show.scene.teach(0)
    show.scene.show_drawing(None)
    show.draw(surface)
    accent = tuple(show.view.palette.text.accent)
    x0, y = show.view.layout.grid_origin
    left = surface.subsurface(pygame.Rect(int(x0 - 3 * show.view.layout.grid_pitch[0]), int(y - 40),
                                          int(3 * show.view.layout.grid_pitch[0]), 100))
    pixels = pygame.surfarray.array3d(left).reshape(-1, 3)
    assert (np.abs(pixels - np.array(accent)).sum(axis=1) < 30).sum() > 40        # the visitor's outline is there
    assert pygame.image.tobytes(surface, "RGB") != before


def test_a_taught_shape_is_named_as_taught_not_as_its_own_nearest_neighbour():
    """Once taught, a drawing is in the training set 0 pixels away from itself: the verdict says it was taught,
    and any other drawing is compared with the seed's own shapes only."""
    scene = NetworkScene(NetworkSettings(seed=2))
    scene.show_drawing(disc(6).ravel())
    assert scene.teach(0) is not None
    for _ in range(30):                                         # it trains on, with the taught copies in its data
        scene.update(1 / 30)
    assert len(scene.data.X_train) == len(scene.teaching.base.X_train) + TAUGHT_COPIES
    assert scene.drawing_verdict()[1] == "you taught it this shape, as a circle"
    scene.show_drawing(square(5).ravel())
    index, distance = scene.nearest_training_shape()
    own = scene.teaching.base.X_train
    brute = [int(np.sum((x > 0.5) != (scene.drawing > 0.5))) for x in own]
    assert distance == min(brute) and brute[index] == distance
    assert scene.drawing_verdict()[1].startswith("nearest learned shape: a ")
