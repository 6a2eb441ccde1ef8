"""Neural Illumination: the app (window, kiosk, export). Everything that draws, listens or writes files."""
import os

# Before anything imports pygame: no "Hello from the pygame community" banner on stdout (it would break --json),
# and never open an audio device (this piece is silent).
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
