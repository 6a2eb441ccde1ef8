"""The `illumination` command's entry point: the collector is held while the program starts (core/collector.py)."""
from __future__ import annotations

from illumination.core.collector import hold_collector, release_collector


def main(argv: list[str] | None = None) -> int:
    hold_collector()
    try:
        from illumination.cli import main as command
        return command(argv)
    finally:
        release_collector()
