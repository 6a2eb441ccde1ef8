"""Tests for the themes package: built-in themes, strict validation, and colour-vision checks."""
from __future__ import annotations

import dataclasses
import itertools
import json
import math
import pickle
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from themes import DEFAULT_THEME, Theme, ThemeError, list_themes, load_theme, parse_colour
from themes.loader import SECTIONS, THEMES_DIR
from themes.schema import Problem, Problems

BUILT_IN = ["anthropic", "midnight", "okabe-ito", "original", "print"]


# --- helpers --------------------------------------------------------------------------------------

def reference_data() -> dict:
    """The default theme as a plain dict, to mutate into broken variants."""
    return tomllib.loads((THEMES_DIR / "midnight.toml").read_text(encoding="utf-8"))


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)  # JSON strings and numbers are valid TOML for the values used here


def write_theme(path: Path, data: dict) -> Path:
    """A tiny TOML writer: top-level scalars, then one level of tables."""
    lines = [f"{k} = {_toml_value(v)}" for k, v in data.items() if not isinstance(v, dict)]
    for key, table in data.items():
        if isinstance(table, dict):
            lines.append(f"\n[{key}]")
            lines += [f"{k} = {_toml_value(v)}" for k, v in table.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def colour_fields(theme: Theme):
    """(dotted path, rgb) for every colour in a theme."""
    for section in SECTIONS:
        obj = getattr(theme, section)
        for f in dataclasses.fields(obj):
            if f.metadata["kind"] == "colour":
                yield f"{section}.{f.name}", getattr(obj, f.name)


# Colour science for the accessibility checks: sRGB <-> linear RGB, CIELAB, and the Machado, Oliveira
# & Fernandes (2009) deuteranopia matrix (severity 1.0), which operates on linear RGB.
MACHADO_DEUTERANOPIA = (
    (0.367322, 0.860646, -0.227968),
    (0.280085, 0.672501, 0.047413),
    (-0.011820, 0.042940, 0.968881),
)


def to_linear(c: int) -> float:
    c = c / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def to_srgb(c: float) -> float:
    c = min(1.0, max(0.0, c))
    return 255 * (12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055)


def deuteranopia(rgb):
    lin = [to_linear(v) for v in rgb]
    return tuple(to_srgb(sum(m * v for m, v in zip(row, lin))) for row in MACHADO_DEUTERANOPIA)


def lab(rgb):
    r, g, b = (to_linear(round(v)) for v in rgb)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883
    f = lambda t: t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116  # noqa: E731
    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def delta_e(a, b) -> float:
    return math.dist(lab(a), lab(b))


def delta_e_deuteranope(a, b) -> float:
    return delta_e(deuteranopia(a), deuteranopia(b))


def relative_luminance(rgb) -> float:
    r, g, b = (to_linear(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a, b) -> float:
    dark, light = sorted((relative_luminance(a), relative_luminance(b)))
    return (light + 0.05) / (dark + 0.05)


# --- built-in themes ------------------------------------------------------------------------------

def test_list_themes_has_the_five_built_ins_sorted():
    assert list_themes() == BUILT_IN


def test_default_theme_is_midnight_and_built_in():
    assert DEFAULT_THEME == "midnight"
    assert DEFAULT_THEME in list_themes()


@pytest.mark.parametrize("name", BUILT_IN)
def test_every_built_in_theme_loads(name):
    theme = load_theme(name)
    assert isinstance(theme, Theme)
    assert theme.name.strip()
    assert theme.mode in ("dark", "light")
    assert Path(theme.source) == THEMES_DIR / f"{name}.toml"
    for path, rgb in colour_fields(theme):
        assert len(rgb) == 3 and all(isinstance(v, int) and 0 <= v <= 255 for v in rgb), path


def test_modes_of_built_ins():
    assert [load_theme(n).is_light for n in BUILT_IN] == [False, False, False, True, True]


def test_load_by_path_string_and_pathlike_match_load_by_name():
    by_name = load_theme("midnight")
    assert load_theme(THEMES_DIR / "midnight.toml") == by_name
    assert load_theme(str(THEMES_DIR / "midnight.toml")) == by_name


def test_unknown_name_lists_available_themes():
    with pytest.raises(ThemeError) as info:
        load_theme("sunrise")
    message = str(info.value)
    assert "sunrise" in message
    for name in BUILT_IN:
        assert name in message


def test_themes_package_does_not_import_pygame():
    # the exhibit registry too, which registers the exhibits' sections: it is as pygame-free as the themes
    code = ("import sys, themes, illumination.exhibits; themes.load_theme('midnight'); "
            "sys.exit('pygame' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], cwd=THEMES_DIR.parent)
    assert result.returncode == 0


# --- validation -----------------------------------------------------------------------------------

def test_reference_round_trip_through_test_writer_is_valid(tmp_path):
    # Guards the helper: if write_theme were broken, the error tests below would prove nothing.
    theme = load_theme(write_theme(tmp_path / "ok.toml", reference_data()))
    assert dataclasses.replace(theme, source="") == dataclasses.replace(load_theme("midnight"), source="")


def test_every_problem_is_reported_at_once_with_its_dotted_path(tmp_path):
    data = reference_data()
    data["chart"]["colour"] = "#ffffff"      # unknown key
    data["neuron"]["glow"] = "blue"          # bad colour
    data["effects"]["bloom"] = 5             # out of range
    del data["synapse"]["positive"]          # missing key
    data["effects"]["glow_strength"] = 0     # exclusive lower bound
    data["background"]["vignette"] = True    # bool is not a number
    path = write_theme(tmp_path / "broken.toml", data)

    with pytest.raises(ThemeError) as info:
        load_theme(path)
    err = info.value
    expected = [
        'theme.neuron.glow: expected a colour like "#rrggbb", got "blue"',
        "theme.effects.bloom: must be between 0 and 2, got 5",
        "theme.chart.colour: unknown key (known keys: gradient, loss, panel, panel_border, test_accuracy, train_accuracy)",
        "theme.synapse.positive: missing",
        "theme.effects.glow_strength: must be greater than 0 and at most 4, got 0",
        "theme.background.vignette: must be a number, got true",
    ]
    assert sorted(err.problems) == sorted(expected)
    lines = str(err).splitlines()
    for problem in expected:  # one problem per line of the message
        assert any(line.strip() == problem for line in lines), problem
    assert "broken.toml" in str(err)
    keys = {p.key: p.message for p in err.problems}           # each problem keeps its key apart from its words
    assert keys["theme.neuron.glow"] == 'expected a colour like "#rrggbb", got "blue"'
    assert keys["theme.synapse.positive"] == "missing"


def test_a_problem_is_a_key_and_a_message_that_reads_as_its_line():
    problem = Problem("theme.neuron.glow", 'expected a colour like "#rrggbb", got "a:b"', "wall.toml")
    assert problem == 'theme.neuron.glow: expected a colour like "#rrggbb", got "a:b"'
    assert pickle.loads(pickle.dumps(problem)).source == "wall.toml"
    whole_file = Problems(["wall.toml is over 1 MB", Problem("seed", "must be a number, got true")], "s.toml")
    assert [p.key for p in whole_file.problems] == ["", "seed"]
    assert whole_file.lines() == ["s.toml: wall.toml is over 1 MB", "s.toml: seed: must be a number, got true"]
    assert str(whole_file) == "\n".join(whole_file.lines())


def test_a_bad_theme_keeps_its_header_and_keys_on_the_way_to_the_command_line(tmp_path):
    from illumination.core.settings import SettingsError
    from illumination.core.show import load_theme_checked
    data = reference_data()
    data["neuron"]["glow"] = "blue"
    path = write_theme(tmp_path / "wall.toml", data)
    with pytest.raises(SettingsError) as info:
        load_theme_checked(str(path))
    assert info.value.lines() == [f"{path}: 1 problem in theme:",
                                  '  theme.neuron.glow: expected a colour like "#rrggbb", got "blue"']
    assert [p.key for p in info.value.problems] == ["theme.neuron.glow"]


def test_top_level_problems(tmp_path):
    data = reference_data()
    data["name"] = "   "
    data["mode"] = "dim"
    data["description"] = 3
    data["extra"] = 1
    data["synapse"] = "blue"
    del data["grid"]
    with pytest.raises(ThemeError) as info:
        load_theme(write_theme(tmp_path / "top.toml", data))
    problems = info.value.problems
    assert "theme.name: expected a non-empty string, got \"   \"" in problems
    assert 'theme.mode: must be "dark" or "light", got "dim"' in problems
    assert "theme.description: expected a string, got 3" in problems
    assert "theme.extra: unknown key" in problems
    assert "theme.grid: missing" in problems
    assert any(p.startswith("theme.synapse: expected a table") for p in problems)
    assert len(problems) == 6


def test_integers_accepted_for_numbers_and_shorthand_colours(tmp_path):
    data = reference_data()
    data["effects"]["glow_strength"] = 4     # inclusive upper bound, given as an int
    data["background"]["vignette"] = 0
    data["grid"]["pixel"] = "#abc"
    data["text"]["accent"] = "#FFC86B"
    theme = load_theme(write_theme(tmp_path / "ints.toml", data))
    assert theme.effects.glow_strength == 4.0 and isinstance(theme.effects.glow_strength, float)
    assert theme.background.vignette == 0.0
    assert theme.grid.pixel == (170, 187, 204)
    assert theme.text.accent == (255, 200, 107)


@pytest.mark.parametrize("text,rgb", [("#abc", (170, 187, 204)), ("#ABC", (170, 187, 204)),
                                      ("#05060a", (5, 6, 10)), ("#FfFfFf", (255, 255, 255))])
def test_parse_colour(text, rgb):
    assert parse_colour(text) == rgb


@pytest.mark.parametrize("bad", ["blue", "#abcd", "#gggggg", "05060a", "#05060a ", "", 0x05060A])
def test_parse_colour_rejects(bad):
    with pytest.raises(ValueError):
        parse_colour(bad)


def test_toml_syntax_error_is_one_clear_line(tmp_path):
    path = tmp_path / "typo.toml"
    path.write_text('name = "Typo\nmode = "dark"\n', encoding="utf-8")
    with pytest.raises(ThemeError) as info:
        load_theme(path)
    message = str(info.value)
    assert "\n" not in message
    assert "typo.toml" in message and "TOML syntax error" in message and "line 1" in message


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ThemeError) as info:
        load_theme(tmp_path / "nowhere.toml")
    assert str(info.value) == f"theme file not found: {tmp_path / 'nowhere.toml'}"


def test_unreadable_and_binary_files_are_clear_errors(tmp_path):
    directory = tmp_path / "folder.toml"
    directory.mkdir()
    with pytest.raises(ThemeError, match="folder.toml is not a regular file"):
        load_theme(directory)
    binary = tmp_path / "image.toml"
    binary.write_bytes(b"\xff\xfe\x00\x01")
    with pytest.raises(ThemeError, match="image.toml: not a text file"):
        load_theme(binary)


def test_theme_error_is_a_value_error():
    assert issubclass(ThemeError, ValueError)


# --- dataclass behaviour --------------------------------------------------------------------------

def test_dataclasses_are_frozen():
    theme = load_theme("midnight")
    with pytest.raises(dataclasses.FrozenInstanceError):
        theme.name = "Noon"
    for section in SECTIONS:
        obj = getattr(theme, section)
        first = dataclasses.fields(obj)[0].name
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(obj, first, (0, 0, 0))


def test_emission_palette_is_identity_for_dark_themes():
    for name in ("midnight", "anthropic", "okabe-ito"):
        theme = load_theme(name)
        assert theme.emission_palette() is theme


def test_emission_palette_inverts_every_colour_of_a_light_theme():
    ink = load_theme("print")
    light = ink.emission_palette()
    assert light.mode == "light"  # kept: the renderer still needs to know to invert the final frame
    pairs = list(zip(colour_fields(ink), colour_fields(light)))
    assert len(pairs) == 30  # every colour in the schema
    for (path, original), (same_path, inverted) in pairs:
        assert path == same_path
        assert inverted == tuple(255 - v for v in original), path
    assert light.effects == ink.effects
    assert light.background.vignette == ink.background.vignette
    assert (light.name, light.description, light.source) == (ink.name, ink.description, ink.source)
    assert light.background.top == (4, 5, 9)  # paper #fbfaf6 becomes a near-black canvas


# --- design checks on the built-in palettes -------------------------------------------------------

def test_deuteranopia_simulation_is_sane():
    # A simulation that changed nothing would let the Okabe-Ito checks pass vacuously: red vs green
    # must collapse for a deuteranope, while blue vs yellow survives.
    red, green = (204, 51, 51), (51, 170, 51)
    assert delta_e(red, green) > 100
    assert delta_e_deuteranope(red, green) < 15
    assert delta_e_deuteranope((0, 114, 178), (240, 228, 66)) > 100


def test_okabe_ito_stays_distinguishable_for_deuteranopes():
    theme = load_theme("okabe-ito")
    assert delta_e_deuteranope(theme.synapse.positive, theme.synapse.negative) > 60
    assert delta_e_deuteranope(theme.particle.forward, theme.particle.backward) > 60
    assert delta_e_deuteranope(theme.neuron.glow, theme.neuron.halo) > 60
    assert delta_e_deuteranope(theme.grid.correct, theme.grid.incorrect) > 40
    chart = theme.chart
    lines = [chart.loss, chart.train_accuracy, chart.test_accuracy, chart.gradient]
    for a, b in itertools.combinations(lines, 2):
        assert delta_e_deuteranope(a, b) > 25, (a, b)


def test_okabe_ito_data_hues_come_from_the_palette():
    palette = {parse_colour(c) for c in ("#E69F00", "#56B4E9", "#009E73", "#F0E442",
                                         "#0072B2", "#D55E00", "#CC79A7")}
    theme = load_theme("okabe-ito")
    data_carrying = ["synapse.positive", "synapse.negative", "neuron.glow", "neuron.halo",
                     "neuron.sparkle", "particle.forward", "particle.backward", "grid.correct",
                     "grid.incorrect", "grid.uncertain", "chart.loss", "chart.train_accuracy",
                     "chart.test_accuracy", "chart.gradient", "text.accent", "landscape.ball", "landscape.cold",
                     "landscape.hot"]
    colours = dict(colour_fields(theme))
    for path in data_carrying:
        assert colours[path] in palette, path
    for path, (r, g, b) in colours.items():  # everything else must be a hue-less grey
        if path not in data_carrying:
            assert max(r, g, b) - min(r, g, b) <= 12, path


def test_print_inks_are_readable_on_paper():
    theme = load_theme("print")
    paper = theme.background.bottom  # the darker end of the gradient is the worst case
    faint_on_purpose = {"neuron.rim", "chart.panel", "chart.panel_border",
                        "landscape.terrain_low", "landscape.terrain_high"}   # the ground the marks stand on
    for path, rgb in colour_fields(theme):
        if path.startswith("background.") or path in faint_on_purpose:
            continue
        minimum = 4.5 if path.startswith("text.") else 3.0
        assert contrast_ratio(rgb, paper) >= minimum, path


def test_dark_themes_have_dark_backgrounds_and_readable_text():
    for name in ("midnight", "anthropic", "okabe-ito"):
        theme = load_theme(name)
        for end in (theme.background.top, theme.background.bottom):
            assert relative_luminance(end) < 0.02, name
        assert contrast_ratio(theme.text.primary, theme.background.bottom) >= 7, name
        assert contrast_ratio(theme.text.secondary, theme.background.bottom) >= 4.5, name
