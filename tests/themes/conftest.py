"""Theme files carry the exhibits' own sections, which the exhibit registry registers with the theme loader:
load the registry before any theme is read, as every command does."""
import illumination.exhibits  # noqa: F401  (registers the Network's and the Landscape's theme sections)
