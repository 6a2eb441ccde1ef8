"""The export mode: frames rendered headless on the fixed 1/fps clock, to files (MP4, GIF, WebP, PNG)."""
