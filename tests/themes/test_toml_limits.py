"""A scene, theme or playlist file nested thousands of levels deep, or with a dotted key of thousands of parts, is
refused by a scan before the TOML parser sees it (the parser would recurse into a RecursionError, or spend seconds and
gigabytes on the key): one line naming the file, exit 2; the kiosk keeps its built-in playlist."""
import time

import pytest

from illumination.cli import main
from themes.schema import MAX_KEY_PARTS, MAX_TOML_DEPTH, toml_shape_problem

HOSTILE = {
    "arrays": "a = " + "[" * 5000 + "]" * 5000 + "\n",
    "inline tables": "a = " + "{b = " * 3000 + "1" + "}" * 3000 + "\n",
    "dotted key": "x" + ".a" * 50_000 + " = 1\n",
    "table header": "[" + ".".join(["t"] * 50_000) + "]\n",
    "quoted key parts": ".".join(['"q"'] * 50_000) + " = 1\n",
}


def one_line(err):
    return err.count("\n") == 1 and "Traceback" not in err


def exit_code(argv):
    try:
        return main(argv)
    except SystemExit as stop:
        return stop.code


@pytest.mark.parametrize("shape", HOSTILE)
@pytest.mark.parametrize("kind", ["scene", "theme"])
def test_a_hostile_shape_is_one_line_naming_the_file_and_exit_2_at_once(tmp_path, capsys, shape, kind):
    path = tmp_path / "hostile.toml"
    path.write_text(HOSTILE[shape])
    argv = (["train", "--epochs", "1", "--scene", str(path)] if kind == "scene" else
            ["snapshot", "--epochs", "1", "--size", "160x90", "--theme", str(path), "-o", str(tmp_path / "s.png")])
    started = time.perf_counter()
    code = exit_code(argv)
    err = capsys.readouterr().err
    assert code == 2 and one_line(err) and str(path) in err, err
    assert ("nested more than" in err) if shape in ("arrays", "inline tables") else ("dotted key of more than" in err)
    assert time.perf_counter() - started < 5
    assert not (tmp_path / "s.png").exists()


@pytest.mark.parametrize("shape", HOSTILE)
def test_a_hostile_playlist_falls_back_to_the_built_in_one_with_the_reason(tmp_path, shape):
    from illumination.modes.kiosk.playlist import default_playlist, resolve_playlist
    path = tmp_path / "wall.toml"
    path.write_text(HOSTILE[shape])
    report = resolve_playlist(path)
    assert report.playlist == default_playlist()
    assert len(report.problems) == 1 and str(path) in report.problems[0]


def test_the_limits_are_far_above_any_real_file_and_strings_and_comments_do_not_count():
    inside = "[" * 100 + "." * 100
    text = (f'title = "{inside}"\nliteral = \'{inside}\'\nblock = """\n{inside}\n"""\n# {inside}\n'
            f"when = 1979-05-27T07:32:00.999999-07:00\nfloats = [1.5, 2.5, [3.5, {{a = 0.5}}]]\n"
            + "[" + ".".join(["t"] * MAX_KEY_PARTS) + "]\n" + "n = " + "[" * MAX_TOML_DEPTH + "]" * MAX_TOML_DEPTH)
    import tomllib
    tomllib.loads(text)                                   # valid TOML, and the scan lets it through
    assert toml_shape_problem(text) is None
    assert "(line 11)" in toml_shape_problem(text + "\n[" + ".".join(["t"] * (MAX_KEY_PARTS + 1)) + "]")


@pytest.mark.parametrize("text", ['"' + '\\"' * 400_000, "'a" * 400_000, '"""' + 'a"' * 400_000, "[]" * 400_000])
def test_the_scan_is_linear_on_a_megabyte_of_unclosed_strings(text):
    started = time.perf_counter()
    toml_shape_problem(text)
    assert time.perf_counter() - started < 3
