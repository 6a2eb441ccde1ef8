"""The Noise lab: measurements and experiments on the network and the balls — sharpness (exact Hessian-vector
products), seed sweeps and their report, basin escapes, the live metric stream, the PyTorch comparison.
Imports network/, physics/ and data/; never pygame, never the app."""
