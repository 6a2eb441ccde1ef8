"""The kiosk mode: a gallery attract loop over a playlist, unattended for days, never crashing."""
