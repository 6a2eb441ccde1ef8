"""The Landscape's physics: balls rolling on a 2D loss surface (data/surfaces.py) under an optimizer from the one
registry (network/optim.py) and noise, with their basin counts and height histograms. NumPy only; never imports
pygame."""
