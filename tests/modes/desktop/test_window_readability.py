"""What a person reads in the window: the help over the exhibit, a saved file's path, the panel at 4K."""
import io

import numpy as np
import pygame
import pytest

from illumination.core.display import init_headless
from illumination.core.show import make_show
from illumination.exhibits import get_exhibit
from illumination.modes.desktop.desktop import Desktop
from illumination.modes.desktop.panel_theme import FONT_SIZE, PANEL_WIDTH, panel_scale
from illumination.modes.desktop.wrapping import wrap_message


@pytest.fixture(scope="module", autouse=True)
def display():
    init_headless()
    yield


def make_desktop(size, tmp_path) -> Desktop:
    screen = pygame.display.set_mode(size)
    pygame.event.clear()
    exhibit = get_exhibit("network")
    desk = Desktop(screen, make_show(exhibit, exhibit.settings(), screen.get_size()), fps=30,
                   console=io.StringIO(), output_dir=tmp_path)
    desk.update(1 / 30)
    desk.draw()
    return desk


def test_the_help_box_hides_what_is_behind_it(tmp_path):
    """The help drawn over an all-white exhibit and over an all-black one: inside the box, the two differ by
    no more than a faint trace (the exhibit's lights must not show through the words)."""
    desk = make_desktop((1000, 700), tmp_path)
    desk.perform("help")
    boxes = []
    draw_box = desk.overlay.draw_box
    desk.overlay.draw_box = lambda *args, **kwargs: boxes.append(draw_box(*args, **kwargs)) or boxes[-1]
    images = []
    for fill in ((255, 255, 255), (0, 0, 0)):
        desk.show.draw = lambda surface, fill=fill: surface.fill(fill)
        desk.draw()
        images.append(pygame.surfarray.array3d(desk.exhibit).astype(int))
    box = boxes[-1].inflate(-2, -2)
    inside = [image[box.left:box.right, box.top:box.bottom] for image in images]
    assert np.abs(inside[0] - inside[1]).max() <= 8


def row_texts(text_box) -> list[str]:
    return ["".join(getattr(chunk, "text", "") for chunk in row.items) for row in text_box.text_box_layout.layout_rows]


def test_a_saved_files_path_is_never_broken_inside_a_name(tmp_path):
    folder = tmp_path / "a-rather-long-folder-name" / "another-folder-for-the-pictures"
    folder.mkdir(parents=True)
    desk = make_desktop((1366, 768), folder)
    desk.perform("screenshot")
    desk.draw()
    path = desk.capture.last_screenshot
    assert path is not None and str(path) in desk.panel.message
    rows = [row.strip() for row in row_texts(desk.panel.message_box)]
    names = [part for part in str(path).split("/") if part]
    for name in names:      # every folder and the file's name whole on one row
        assert any(name in row for row in rows), (name, rows)
    assert "".join(rows).replace(" ", "") == desk.panel.message.replace(" ", "")


def test_messages_break_at_spaces_and_separators_only():
    fits = lambda text: len(text) <= 20                       # noqa: E731
    lines = wrap_message("Saved: /home/ann/Pictures/illumination-seed42.png (3 frames)", fits)
    assert lines == ["Saved: /home/ann/", "Pictures/", "illumination-seed42.png", "(3 frames)"]


@pytest.mark.parametrize("size, scale", [((1366, 768), 1.0), ((1920, 1080), 1.0), ((2560, 1440), 1.33),
                                         ((3840, 2160), 2.0)])
def test_the_panel_grows_with_the_screen(tmp_path, size, scale):
    """Width and type scale with the stage's unit (1x up to 1080p): at 4K the panel is 680 px with 28 px text,
    every control of its page still inside the window."""
    assert panel_scale(size) == scale
    desk = make_desktop(size, tmp_path)
    panel = desk.panel
    assert panel.width == round(PANEL_WIDTH * scale) and desk.exhibit_rect.width == size[0] - panel.width
    built = [spec.key for spec in desk.controls.sliders if panel.widget(spec.key) is not None]   # the page shown
    label = panel.caption(built[0])
    height = label.font.size("Learning rate")[1]
    assert height >= round(FONT_SIZE * scale * 1.2), height       # the text's line, not 14 px at 4K
    window = pygame.Rect(0, 0, *size)
    for key in built:
        assert window.contains(panel.widget(key).rect) and window.contains(panel.caption(key).rect)
    for button in panel.buttons:
        assert window.contains(button.rect)


def test_a_resize_to_4k_rebuilds_the_panel_at_its_scale(tmp_path):
    desk = make_desktop((1280, 720), tmp_path)
    assert desk.panel.width == PANEL_WIDTH
    pygame.display.set_mode((3840, 2160))
    desk.process_event(pygame.event.Event(pygame.VIDEORESIZE, size=(3840, 2160), w=3840, h=2160))
    assert desk.panel.width == 2 * PANEL_WIDTH and desk.exhibit_rect.width == 3840 - 2 * PANEL_WIDTH
    desk.update(1 / 30)
    desk.draw()
