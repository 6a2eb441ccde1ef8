"""Drawing helpers every view shares: background, colour, sprites, text, particles."""
