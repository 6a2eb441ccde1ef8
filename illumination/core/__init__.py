"""Knows no exhibit and no mode: the scene interface, settings, the clock and loop, display set-up, drawing helpers, frame writers."""
