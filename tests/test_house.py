"""The shape of the house, proved from the code itself: every module's imports read with ast.

Arrows run one way: cli → modes → exhibits → core → lab → physics → network → data, with themes beside them. No
import circles; the three modes never import each other; the headless rooms (lab/, physics/, network/, data/,
themes/) never import the app or pygame, and each imports only the rooms below it; command modules never import
a sibling (bar the one leaf of argument types); and no mode names an exhibit's insides.
"""
from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("illumination", "lab", "physics", "network", "data", "themes")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[module_name(path)] = path
    return found


MODULES = modules()


def imported_names(name: str, path: Path) -> set[str]:
    """Every module name an import statement in this file names (at any depth: lazy imports count too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            for alias in node.names:   # `from pkg import submodule` is an arrow to the submodule, not the package
                full = f"{module}.{alias.name}"
                names.add(full if full in MODULES else module)
    return names


def project_imports(name: str) -> set[str]:
    """The project modules this one imports (a name that is a module's attribute resolves to the module)."""
    found = set()
    for imported in imported_names(name, MODULES[name]):
        while imported and imported not in MODULES:
            imported = imported.rpartition(".")[0]
        if imported and imported != name:
            found.add(imported)
    return found


GRAPH = {name: project_imports(name) for name in MODULES}


def layer(name: str) -> str:
    parts = name.split(".")
    if parts[0] != "illumination":
        return parts[0]
    if len(parts) == 1:
        return "illumination"
    if parts[1] == "modes" and len(parts) > 2:
        return f"modes.{parts[2]}"
    return parts[1]


def test_the_house_has_the_rooms_it_claims():
    for room in ("illumination.core", "illumination.exhibits", "illumination.exhibits.network",
                 "illumination.modes.desktop", "illumination.modes.kiosk", "illumination.modes.export",
                 "illumination.cli", "illumination.cli.args"):
        assert room in MODULES, room
    assert set().union(*GRAPH.values()), "the import reader found no arrows at all"


def test_no_import_circles():
    """Depth-first search for a back edge; the circle found is named in the failure."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(GRAPH[node]):
            if state.get(target) == 1:
                return stack[stack.index(target):] + [target]
            if target not in state and (circle := visit(target)):
                return circle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(GRAPH):
        if node not in state:
            circle = visit(node)
            assert circle is None, " → ".join(circle)


APP = {"illumination", "core", "exhibits", "modes.desktop", "modes.kiosk", "modes.export", "cli"}
# layer -> the layers it must never import
FORBIDDEN = {
    "core": {"exhibits", "modes.desktop", "modes.kiosk", "modes.export", "cli"},
    "exhibits": {"modes.desktop", "modes.kiosk", "modes.export", "cli"},
    "modes.desktop": {"modes.kiosk", "modes.export", "cli"},
    "modes.kiosk": {"modes.desktop", "modes.export", "cli"},
    "modes.export": {"modes.desktop", "modes.kiosk", "cli"},
    "lab": APP,
    "physics": APP | {"lab"},
    "network": APP | {"lab", "physics"},
    "data": APP | {"lab", "physics", "network"},
    "themes": APP | {"lab", "physics", "network", "data"},
}


def test_every_arrow_runs_down_the_layers():
    wrong = [f"{source} → {target}" for source, targets in GRAPH.items() for target in targets
             if layer(target) in FORBIDDEN.get(layer(source), set())]
    assert wrong == []


@pytest.mark.parametrize("package", ["network", "physics", "lab", "data", "themes"])
def test_the_computation_never_imports_pygame(package):
    offenders = [name for name, path in MODULES.items() if name.split(".")[0] == package
                 and any(n.split(".")[0] in ("pygame", "pygame_gui") for n in imported_names(name, path))]
    assert offenders == []


def test_command_modules_never_import_a_sibling():
    commands = {n for n in MODULES if n.startswith("illumination.cli.")}
    wrong = [f"{source} → {target}" for source in commands for target in GRAPH[source]
             if target in commands and target != "illumination.cli.args"]
    assert wrong == []


# -- no mode reaches into an exhibit ---------------------------------------------------------------------------
# A mode holds a Show and an Exhibit record (core/scene.py, core/show.py) and nothing else of an exhibit's. Three
# checks: no mode imports a module inside an exhibit's package (every exhibit, found on disk); no mode reads an
# attribute that only an exhibit's own classes define (derived from the code: every exhibit); and no mode writes
# a name from the hand lists below, the insides most likely to be reached for.

EXHIBIT_PACKAGES = sorted(name for name, path in MODULES.items()
                          if name.startswith("illumination.exhibits.") and path.name == "__init__.py")
MODES = {name: path for name, path in MODULES.items() if layer(name).startswith("modes.")}


def test_no_mode_imports_an_exhibits_insides():
    assert {"illumination.exhibits.network", "illumination.exhibits.landscape"} <= set(EXHIBIT_PACKAGES)
    wrong = [f"{source} → {target}" for source in MODES for target in GRAPH[source]
             for package in EXHIBIT_PACKAGES if target.startswith(package + ".")]
    assert wrong == []


def parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def attributes_defined(tree: ast.AST) -> set[str]:
    """Every attribute a file's classes define: methods, class attributes, and any `x.name = …` it stores."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    names.add(item.name)
                elif isinstance(item, ast.Assign):
                    names.update(target.id for target in item.targets if isinstance(target, ast.Name))
                elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    names.add(item.target.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
    return names


def names_defined(tree: ast.AST) -> set[str]:
    """Every name a file binds itself: variables, functions, classes, parameters."""
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}
    names.update(node.name for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.ClassDef)))
    for node in ast.walk(tree):
        if isinstance(node, ast.arguments):
            names.update(arg.arg for arg in node.posonlyargs + node.args + node.kwonlyargs)
    return names


def attributes_read(tree: ast.AST) -> set[str]:
    return {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}


def library_names(name: str, path: Path) -> set[str]:
    """The attributes of the libraries a module imports (pygame.image, json.load …): theirs, not an exhibit's."""
    import importlib
    found = set()
    for imported in imported_names(name, path):
        if imported.split(".")[0] not in PACKAGES:
            try:
                found.update(dir(importlib.import_module(imported)))
            except ImportError:
                pass
    return found


def shared_names() -> set[str]:
    """What a mode may read by an attribute's name: the interface and everything else core and themes define, what
    the modes define themselves, the builtin types', pygame's surfaces' and rectangles', and their libraries'."""
    import pygame
    shared = set().union(*(set(dir(kind)) for kind in (object, dict, list, tuple, set, str, int, float,
                                                       pygame.Surface, pygame.Rect)))
    for name, path in MODULES.items():
        if layer(name) in ("core", "themes") or name in MODES or name == "illumination.exhibits":
            tree = parsed(path)
            shared |= attributes_defined(tree) | names_defined(tree)
    for name, path in MODES.items():
        shared |= library_names(name, path)
    return shared


def exhibit_only_attributes(package: str, shared: set[str]) -> set[str]:
    """The attributes only this exhibit's own classes define (its settings, the scene-file keys, are public)."""
    own, public = set(), set()
    for name, path in MODULES.items():
        if name.startswith(package + "."):
            (public if name == package + ".settings" else own).update(attributes_defined(parsed(path)))
    return own - public - shared


def insides_read(source: Path, private: dict[str, set[str]]) -> dict[str, list[str]]:
    read = attributes_read(parsed(source))
    return {package: sorted(read & names) for package, names in private.items() if read & names}


def test_no_mode_reads_an_attribute_only_an_exhibit_defines():
    shared = shared_names()
    private = {package: exhibit_only_attributes(package, shared) for package in EXHIBIT_PACKAGES}
    assert all(private.values()), "the reader found no exhibit's insides at all"
    found = {name: insides_read(path, private) for name, path in MODES.items()}
    assert {name: reads for name, reads in found.items() if reads} == {}


# Names that belong to an exhibit's insides: a mode that writes one has reached past the interface.
NETWORK_ONLY = {"trainer", "_view", "NetworkScene", "NetworkView", "NetworkSettings", "make_trainer", "CLASS_NAMES",
                "max_epochs", "early_stop", "learning_rate", "hidden_size", "test_accuracy", "epoch", "epochs",
                "show_drawing", "drawing", "drawn", "teach", "teaching", "grid_probs", "diverged_for", "TRAINING_SLIDERS",
                "VISUAL_SLIDERS"}
LANDSCAPE_ONLY = {"LandscapeScene", "LandscapeView", "LandscapeSettings", "Camera", "camera", "orbit", "Balls",
                  "NetworkProbe", "probe", "basin_counts", "explosions", "exploded_for", "loss_history",
                  "temperature_history", "stage_area", "max_steps"}


def code_names(path: Path) -> set[str]:
    """The identifiers a file's code uses (strings and comments are not code)."""
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
    return {token.string for token in tokens if token.type == tokenize.NAME}


@pytest.mark.parametrize("insides", [NETWORK_ONLY, LANDSCAPE_ONLY], ids=["network", "landscape"])
def test_no_mode_names_an_exhibits_insides(insides):
    found = {name: sorted(code_names(path) & insides) for name, path in MODES.items()}
    assert {name: names for name, names in found.items() if names} == {}


def test_the_reader_would_see_a_forbidden_arrow(tmp_path):
    """The checks above can fail: a core module importing a mode is seen as an arrow against the layers."""
    fake = tmp_path / "fake.py"
    fake.write_text("def f():\n    from illumination.modes.kiosk import attract\n")
    names = imported_names("illumination.core.fake", fake)
    assert "illumination.modes.kiosk.attract" in names
    assert layer("illumination.modes.kiosk.attract") in FORBIDDEN["core"]
    leaky = tmp_path / "leaky.py"
    leaky.write_text("x = show.scene.trainer.epoch  # a comment naming trainer does not count\n")
    assert code_names(leaky) & NETWORK_ONLY == {"trainer", "epoch"}


def test_the_reader_would_see_a_mode_reach_into_an_exhibit(tmp_path):
    """The exhibit checks can fail: a mode that imports a module of the Landscape's, or turns its camera through
    the show, is caught by each of them."""
    fake = tmp_path / "fake.py"
    fake.write_text("from illumination.exhibits.landscape.camera import Camera\n"
                    "from illumination.exhibits import get_exhibit\n\n\n"
                    "def turn(show):\n    show.scene.camera.orbit(0.1, 0.0)\n    show.scene.step_once()\n")
    imported = imported_names("illumination.modes.kiosk.fake", fake)
    assert [target for target in imported for package in EXHIBIT_PACKAGES if target.startswith(package + ".")] \
        == ["illumination.exhibits.landscape.camera"]
    private = {package: exhibit_only_attributes(package, shared_names()) for package in EXHIBIT_PACKAGES}
    assert insides_read(fake, private) == {"illumination.exhibits.landscape": ["camera", "orbit"]}
    assert code_names(fake) & LANDSCAPE_ONLY == {"Camera", "camera", "orbit"}
