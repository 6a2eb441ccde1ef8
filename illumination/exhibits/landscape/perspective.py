"""The surface in perspective (view = "3d"): a shaded mesh seen from the scene's Camera — drag to orbit, wheel
to zoom — with the balls as a splat of light on it, the first ball's trail and its slope.

Every vertex sits at its true (x, z) and at the height of L(x, z)'s relief level (relief.py), coloured by that
level on the theme's ramp (terrain_low → terrain_high → a pale crest) and lit by one low light from the side
(Lambert on the mesh's own normals, so every ripple has a lit and a shaded flank) with a little fog with distance;
the explain composition adds a faint (x, z) grid. The mesh is drawn
once into a layer (painter's order: far quads first) and redrawn only when the camera, the surface or the size
changes; each frame blits that layer and adds the balls. What draw may change: that layer and its key.
"""
from __future__ import annotations


import numpy as np
import pygame

from illumination.exhibits.landscape import marks
from illumination.exhibits.landscape.camera import HEIGHT_SCALE
from illumination.exhibits.landscape.relief import relief_of, terrain_ramp

MESH = 128             # vertices per side: 3+ per ripple of the complex landscape's sin 2x
DRAG_MESH = 48         # while the camera is being dragged: ~7x fewer quads, so orbiting stays fluid
GRID_EVERY = 8
LIGHT = np.array([-0.7, 0.5, -0.35]) / np.linalg.norm([-0.7, 0.5, -0.35])   # low, from the left: ripples read
FOG = 0.25             # the farthest quads keep 1 − FOG of their light
PICK_GRID = 161        # surface points per side searched for the one under a touch
BALL_LIFT = 0.012      # balls float this far above the surface, so the mesh never hides their light


class PerspectiveStage:
    def __init__(self, view, area: pygame.Rect):
        self.view = view
        self.rect = area.copy()
        if view.gallery and area.width < area.height:   # portrait: the surface overflows the sides, fills the middle
            self.focal = area.width * 2.35
            self.centre = (area.centerx, area.centery + area.height * 0.12)
        elif view.gallery:       # the surface fills the frame: it is the picture
            self.focal = min(area.height * 1.95, area.width * 1.55)
            self.centre = (area.centerx, area.centery + area.height * 0.2)
        else:                    # explain: the whole surface inside its stage, whatever the stage's shape
            self.focal = min(area.height * 0.98, area.width * 0.82)
            self.centre = (area.centerx, area.centery + area.height * 0.06)
        self._key = None
        self.paints = self.rect          # the mesh layer carries its own background
        self._layer: pygame.Surface | None = None
        self._drag: tuple[int, int] | None = None
        self._pressed: tuple[int, int] | None = None    # where the left button went down (a click drops a ball)

    # -- world ↔ screen ----------------------------------------------------------------------------
    def world(self, x, z, loss):
        surface = self.view.scene.surface
        middle, half = (surface.hi + surface.lo) / 2, (surface.hi - surface.lo) / 2
        return (np.asarray(x) - middle) / half, relief_of(surface).level(loss), (np.asarray(z) - middle) / half

    def to_screen(self, x, z, loss=None, lift: float = 0.0):
        """Screen x, y and depth of surface points (x, z), at their loss (computed if not given)."""
        if loss is None:
            loss = self.view.scene.surface.loss(x, z)
        u, h, v = self.world(x, z, loss)
        return self.view.scene.camera.project(u, h + lift, v, self.centre, self.focal)

    def surface_point(self, pos) -> tuple[float, float] | None:
        """The surface point (x, z) drawn under the screen position pos: of the grid points whose picture lies
        within a grid spacing of it, the one nearest the camera (a hill hides what is behind it); None when pos
        is off the surface."""
        if not self.rect.collidepoint(pos):
            return None
        surface = self.view.scene.surface
        axis = np.linspace(surface.lo, surface.hi, PICK_GRID)
        x, z = np.meshgrid(axis, axis)                                          # (G, G)
        px, py, depth = self.to_screen(x, z)
        spacing = float(np.median(np.hypot(np.diff(px, axis=1), np.diff(py, axis=1))))
        distance = np.where(depth > 0, np.hypot(px - pos[0], py - pos[1]), np.inf)
        near = distance <= max(spacing, 1.5)
        if not near.any():
            return None
        pick = np.unravel_index(np.argmin(np.where(near, depth, np.inf)), depth.shape)
        return float(x[pick]), float(z[pick])

    # -- the mesh layer --------------------------------------------------------------------------
    def _mesh(self) -> pygame.Surface:
        scene, p = self.view.scene, self.view.palette.landscape
        resolution = DRAG_MESH if self._drag is not None else MESH
        key = (scene.surface.name, scene.camera.version, resolution)
        if key == self._key:
            return self._layer
        self._key = key
        surface = scene.surface
        axis = np.linspace(surface.lo, surface.hi, resolution)
        x, z = np.meshgrid(axis, axis)                                   # (MESH, MESH): rows follow z
        level = relief_of(surface).level(surface.loss(x, z))             # (MESH, MESH) in [0, 1]
        sx, sy, depth = self.to_screen(x, z, surface.loss(x, z))
        # Normals of the height field in world units: (−∂h/∂u, 1, −∂h/∂v) with h scaled like the mesh.
        step = 2.0 / (resolution - 1)
        dh_dv, dh_du = np.gradient(level * HEIGHT_SCALE, step)
        normal = np.stack([-dh_du, np.ones_like(level), -dh_dv])
        normal /= np.linalg.norm(normal, axis=0)
        lambert = np.clip(np.tensordot(LIGHT, normal, axes=1), 0.0, 1.0)  # (MESH, MESH)

        def corners(a):          # (MESH-1, MESH-1, 4): the four corners of every quad, in drawing order
            return np.stack([a[:-1, :-1], a[:-1, 1:], a[1:, 1:], a[1:, :-1]], axis=-1)

        quad_level = corners(level).mean(axis=-1)
        quad_light = corners(lambert).mean(axis=-1)
        ramp = terrain_ramp(p, quad_level)                                 # (MESH-1, MESH-1, 3)
        quad_depth = corners(depth).mean(axis=-1)
        near, far = float(quad_depth.min()), float(quad_depth.max())
        fog = 1.0 - FOG * (quad_depth - near) / max(far - near, 1e-9)
        colour = ramp * ((0.5 + 0.85 * quad_light) * fog)[..., None]
        if not self.view.gallery:   # a faint grid every GRID_EVERY vertices: the perspective and the true spacing
            grid = np.zeros(quad_level.shape, dtype=bool)
            grid[::GRID_EVERY, :] = grid[:, ::GRID_EVERY] = True
            colour[grid] = colour[grid] * 0.8 + np.asarray(p.contour, float) * 0.2
        polygons = np.stack([corners(sx), corners(sy)], axis=-1).reshape(-1, 4, 2)   # (Q, 4, 2)
        colours = np.clip(colour, 0, 255).reshape(-1, 3).astype(int)
        depths = quad_depth.ravel()
        visible = corners(depth).min(axis=-1).ravel() > 0.05
        polygons, colours, depths = polygons[visible], colours[visible], depths[visible]

        layer = self.view.background.subsurface(self.rect).copy()
        offset = np.array(self.rect.topleft, dtype=float)
        for k in np.argsort(-depths, kind="stable"):
            points = (polygons[k] - offset).tolist()
            c = tuple(colours[k])
            pygame.draw.polygon(layer, c, points)
        ring = max(1, int(1.5 * self.view.unit))
        for x_star, z_star in surface.global_minima:
            mx, my, md = self.to_screen(np.array([x_star]), np.array([z_star]), lift=BALL_LIFT)
            if md[0] > 0:
                pygame.draw.ellipse(layer, p.contour, pygame.Rect(int(mx[0] - offset[0]) - int(10 * self.view.unit),
                                                                  int(my[0] - offset[1]) - int(5 * self.view.unit),
                                                                  int(20 * self.view.unit), int(10 * self.view.unit)),
                                    ring)
        self._layer = layer
        return layer

    # -- the frame ---------------------------------------------------------------------------------
    def draw(self, target: pygame.Surface) -> None:
        target.blit(self._mesh(), self.rect.topleft)
        marks.balls_on_plane(target, self.view, self.rect, self._project, self.rect.width * 0.2)

    def _project(self, x, z, loss):
        px, py, depth = self.to_screen(x, z, loss, lift=BALL_LIFT)
        return px, py, depth > 0

    def handle_event(self, event) -> bool:
        """Drag (left button) orbits, the wheel zooms; a click that does not drag drops ball 1 on the surface
        point under it. Only over the stage."""
        camera = self.view.scene.camera
        if event.type == pygame.MOUSEBUTTONDOWN and event.button == 1 and self.rect.collidepoint(event.pos):
            self._drag = self._pressed = event.pos
            return True
        if event.type == pygame.MOUSEBUTTONUP and event.button == 1 and self._drag is not None:
            self._drag = None
            pressed, self._pressed = self._pressed, None
            if pressed is not None and max(abs(event.pos[0] - pressed[0]), abs(event.pos[1] - pressed[1])) <= 3:
                point = self.surface_point(event.pos)
                if point is not None:
                    self.view.scene.drop_ball(*point)
            return True
        if event.type == pygame.MOUSEMOTION and self._drag is not None:
            dx, dy = event.pos[0] - self._drag[0], event.pos[1] - self._drag[1]
            self._drag = event.pos
            camera.orbit(-dx * 0.008, dy * 0.006)
            return True
        if event.type == pygame.MOUSEWHEEL and self.rect.collidepoint(pygame.mouse.get_pos()):
            camera.zoom(0.9 ** event.y)
            return True
        return False
