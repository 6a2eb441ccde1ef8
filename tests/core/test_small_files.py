"""Themes, scenes and playlists are small regular files: devices, FIFOs, directories and anything over 1 MB are
refused in one line, before anything is read (so /dev/zero cannot eat the memory and a FIFO cannot hang)."""
import os

import pytest

from illumination.cli import main
from illumination.core.settings import SettingsError, read_scene
from illumination.modes.kiosk.playlist import PlaylistError, read_playlist
from themes import ThemeError, load_theme
from themes.schema import MAX_FILE_BYTES, read_toml

READERS = [(load_theme, ThemeError, "theme"), (read_scene, SettingsError, "scene"),
           (read_playlist, PlaylistError, "playlist")]


def specials(tmp_path):
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    big = tmp_path / "big.toml"
    big.write_bytes(b"# " + b"x" * MAX_FILE_BYTES + b"\n")
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00 not text")
    return {"/dev/zero": ("/dev/zero", "not a regular file"), "fifo": (str(fifo), "not a regular file"),
            "directory": (str(tmp_path), "not a regular file"), "big": (str(big), "at most 1 MB"),
            "binary": (str(binary), "not a text file"), "missing": (str(tmp_path / "nope.toml"), "not found")}


@pytest.mark.parametrize("reader, error, kind", READERS)
def test_every_reader_refuses_special_and_oversize_files_in_one_line(tmp_path, reader, error, kind):
    for name, (path, fragment) in specials(tmp_path).items():
        with pytest.raises(error) as caught:
            reader(path)
        message = str(caught.value)
        assert fragment in message, (name, message)
        assert message.count(path) == 1, (name, message)        # the file is named once, not twice
        assert len(message.splitlines()) <= 2, (name, message)


def test_a_small_file_still_reads(tmp_path):
    scene = tmp_path / "ok.toml"
    scene.write_text('seed = 3\n')
    assert read_toml(scene, "scene") == {"seed": 3}


@pytest.mark.parametrize("argv", [["snapshot", "--theme", "/dev/zero", "-o", "{tmp}/s.png"],
                                  ["train", "--scene", "/dev/zero"], ["train", "--scene", "{tmp}"]])
def test_commands_say_one_line_and_exit_2(tmp_path, capsys, argv):
    code = main([a.replace("{tmp}", str(tmp_path)) for a in argv])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "not a regular file" in err and "Traceback" not in err
    assert not (tmp_path / "s.png").exists()
