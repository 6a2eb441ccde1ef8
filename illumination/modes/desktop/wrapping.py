"""Breaking a message into lines that fit a box: at spaces, and inside a file path only after a separator, so a
name (a folder, a file) is never split. Used by the panel's message box and the message over the exhibit."""
from __future__ import annotations

import re
from typing import Callable

_PATH_PART = re.compile(r"[^/\\]*[/\\]|[^/\\]+")   # "/home/ann/x.png" → "/", "home/", "ann/", "x.png"


def wrap_message(text: str, fits: Callable[[str], bool]) -> list[str]:
    """The text's lines, each broken where it must so that fits(line) holds (a single name that cannot fit
    stays whole on a line of its own)."""
    lines: list[str] = []
    for line in text.splitlines() or [""]:
        current = ""
        for n, word in enumerate(line.split(" ")):
            parts = [word] if fits(word) else _PATH_PART.findall(word) or [word]
            for k, part in enumerate(parts):
                joined = current + (" " if n and k == 0 else "") + part
                if not current or fits(joined):
                    current = joined if current else part
                else:
                    lines.append(current.rstrip(" "))
                    current = part
        lines.append(current)
    return lines
