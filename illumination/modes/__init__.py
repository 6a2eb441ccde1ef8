"""The three ways to run an exhibit: desktop (the window), kiosk (the gallery wall), export (files). Siblings that never import each other."""
