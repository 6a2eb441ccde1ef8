"""The desktop mode: a window to explore an exhibit, with its control panel, keys, captures."""
