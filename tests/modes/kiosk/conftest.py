"""The kiosk tests' stand-in exhibit: a scene that never changes and a view that fills the frame with one colour,
registered as "still" for one test (`still_exhibit`), so a window or soak test times the kiosk, not an exhibit."""
import pytest

from illumination.core.scene import Exhibit, Scene, View
from illumination.exhibits import EXHIBITS
from illumination.exhibits.network.settings import NetworkSettings


class Still(Scene):
    name = "still"

    def update(self, dt):
        pass


class Fill(View):
    def draw(self, surface):
        surface.fill((40, 80, 120))


@pytest.fixture
def still_exhibit(monkeypatch):
    """Registers "still" (headless pygame initialised); the kiosk's log is closed afterwards."""
    from illumination.core.display import init_headless
    from illumination.modes.kiosk.runner import close_logging
    init_headless()
    monkeypatch.setitem(EXHIBITS, "still", Exhibit(name="still", title="Still", settings=NetworkSettings,
                                                   make_scene=Still, make_view=Fill, count_unit="epochs",
                                                   count_setting="max_epochs"))
    yield
    close_logging()


@pytest.fixture
def log(tmp_path):
    """The kiosk's logger, writing to tmp_path/kiosk.log (the test files that read it back say so)."""
    from illumination.modes.kiosk.runner import setup_logging
    logger, _ = setup_logging(tmp_path / "kiosk.log")
    return logger
