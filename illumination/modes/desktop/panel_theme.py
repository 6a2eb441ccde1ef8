"""The control panel's look at the screen's scale: pygame-gui's theme and fonts, and how large the panel is drawn.

The panel is designed at 1x (PANEL_WIDTH px wide, 14 px text) and drawn larger on larger screens, with the stage's
design unit (the one every exhibit uses: min(w/1600, h/900) px per unit) relative to a 1920x1080 window.
"""
from __future__ import annotations

import pygame_gui

PANEL_WIDTH = 340        # at scale 1: a 1920x1080 window or smaller (panel_scale)
PAD_SIZE = 224
FONT_SIZE = 14
MESSAGE_BOX_MARGIN = 32  # the message box's padding (4) and border, and a scroll bar's width (4+ lines), at scale 1
REFERENCE_UNIT = 1.2     # the stage's design unit (px per unit of its 1600x900 design) in a 1920x1080 window


def panel_scale(window_size: tuple[int, int]) -> float:
    """How much larger than its 1x design the panel is drawn: with the window's stage unit (the one the exhibits
    use, min(w/1600, h/900)) relative to a 1920x1080 window, never below 1. So 1366x768 and 1080p windows get
    the 340 px panel with 14 px text, 2560x1440 one a third larger, and 3840x2160 one twice as large."""
    w, h = window_size
    return max(1.0, round(min(w / 1600, h / 900) / REFERENCE_UNIT, 2))


def scaled_size(size: int, scale: float) -> int:
    return max(size, round(size * scale))


# pygame-gui takes no default font from a theme's "defaults" block: each kind of element names its own.
FONT_ELEMENTS = ("button", "label", "text_entry_line", "text_box", "check_box", "drop_down_menu", "selection_list",
                 "tool_tip", "horizontal_slider")


def gui_theme(scale: float = 1.0) -> dict:
    """pygame-gui's theme, its font sizes at the panel's scale."""
    font = {"name": "noto_sans", "size": str(scaled_size(FONT_SIZE, scale))}
    theme = {kind: {"font": dict(font)} for kind in FONT_ELEMENTS}
    for kind, block in _styles(scale).items():
        for key, value in block.items():
            theme.setdefault(kind, {})[key] = value
    return theme


def _styles(scale: float) -> dict:
    return {
        "defaults": {
            "colours": {
                "normal_bg": "#2a2e38", "hovered_bg": "#3a404e", "disabled_bg": "#1c1f26", "selected_bg": "#3d5f8c",
                "active_bg": "#3d5f8c", "dark_bg": "#14161c", "normal_text": "#e4e2da", "hovered_text": "#ffffff",
                "disabled_text": "#7a7e88", "selected_text": "#ffffff", "active_text": "#ffffff",
                "normal_border": "#454b5a", "hovered_border": "#6a7286", "disabled_border": "#2c3038",
                "selected_border": "#5a82b8", "active_border": "#5a82b8", "text_cursor": "#ffffff",
            },
            "font": {"name": "noto_sans", "size": str(scaled_size(FONT_SIZE, scale))},
        },
        "panel": {"colours": {"dark_bg": "#101218ee", "normal_border": "#2c3038"}},
        "label": {"colours": {"dark_bg": "#00000000"}, "misc": {"text_horiz_alignment": "left"}},
        "#seed_label": {"font": {"name": "noto_sans", "size": str(scaled_size(18, scale)), "style": "bold"},
                        "colours": {"normal_text": "#ffffff"}},
        "#hint": {"colours": {"normal_text": "#9a9ea8"}},
        "#verdict": {"font": {"name": "noto_sans", "size": str(scaled_size(16, scale)), "style": "bold"}},
        "text_box": {"colours": {"dark_bg": "#181b22"}, "misc": {"padding": f"{round(4 * scale)},{round(4 * scale)}"}},
        "check_box": {"misc": {"text_horiz_alignment": "left"}},
    }


def preloaded_fonts(scale: float = 1.0) -> list[dict]:
    """The styles the panel uses beyond pygame-gui's default regular face, at the panel's scale."""
    body, large, seed = (scaled_size(n, scale) for n in (FONT_SIZE, 16, 18))
    styles = {(body, "italic"), (body, "bold"), (large, "bold"), (seed, "bold"),
              (FONT_SIZE, "italic"), (FONT_SIZE, "bold")}    # html <i> and <b> may ask for the unscaled size
    return [{"name": "noto_sans", "point_size": size, "style": style, "antialiased": "1"} for size, style in sorted(styles)]


def make_manager(window_size: tuple[int, int], scale: float) -> pygame_gui.UIManager:
    """pygame-gui's manager for a window this size, its theme's fonts at the panel's scale (layout.py)."""
    manager = pygame_gui.UIManager(window_size, gui_theme(scale), enable_live_theme_updates=False)
    manager.preload_fonts(preloaded_fonts(scale))
    return manager
