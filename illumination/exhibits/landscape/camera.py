"""Where the visitor looks at the 3D surface from: an orbit around the surface's centre. Pure NumPy.

The scene keeps one Camera (so a resize or a theme change keeps the view); pointer input changes it — drag
to orbit, wheel to zoom — and the 3D view reads it. `version` grows with every change: the view redraws its
cached mesh layer only when it moved.

World coordinates: u (the surface's x) and v (its z) span [-1, 1] across the domain, height h in [0, 1] is
the surface's relief level (see relief.py); the camera orbits the point (0, TARGET_HEIGHT, 0).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

TARGET_HEIGHT = 0.25
HEIGHT_SCALE = 0.8          # world units of height from the lowest to the highest point
PITCH_RANGE = (0.12, 1.45)  # radians above the horizon: never under the floor, never straight down
DISTANCE_RANGE = (1.6, 8.0)


@dataclass
class Camera:
    yaw: float = 0.65       # radians around the vertical axis
    pitch: float = 0.62     # radians above the horizon
    distance: float = 3.1   # from the target, in world units
    version: int = 0

    def orbit(self, d_yaw: float, d_pitch: float) -> None:
        self.yaw = (self.yaw + d_yaw) % (2 * math.pi)
        self.pitch = min(max(self.pitch + d_pitch, PITCH_RANGE[0]), PITCH_RANGE[1])
        self.version += 1

    def zoom(self, factor: float) -> None:
        self.distance = min(max(self.distance * factor, DISTANCE_RANGE[0]), DISTANCE_RANGE[1])
        self.version += 1

    def basis(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(eye, right, up, forward), each (3,): the camera's position and its orthonormal axes."""
        key = (self.yaw, self.pitch, self.distance)
        cached = getattr(self, "_basis", None)
        if cached is not None and cached[0] == key:
            return cached[1]
        cp, sp, cy, sy = math.cos(self.pitch), math.sin(self.pitch), math.cos(self.yaw), math.sin(self.yaw)
        target = np.array([0.0, TARGET_HEIGHT, 0.0])
        eye = target + self.distance * np.array([cp * sy, sp, -cp * cy])
        forward = (target - eye) / np.linalg.norm(target - eye)
        right = np.cross(np.array([0.0, 1.0, 0.0]), forward)
        right /= np.linalg.norm(right)
        up = np.cross(forward, right)
        self._basis = (key, (eye, right, up, forward))
        return eye, right, up, forward

    def project(self, u, h, v, centre: tuple[float, float], focal: float):
        """Screen x, y and depth (each of u's shape) of world points (u, h·HEIGHT_SCALE, v); depth > 0 in front."""
        eye, right, up, forward = self.basis()
        px = np.asarray(u, dtype=np.float64) - eye[0]
        py = np.asarray(h, dtype=np.float64) * HEIGHT_SCALE - eye[1]
        pz = np.asarray(v, dtype=np.float64) - eye[2]
        cam_x = px * right[0] + py * right[1] + pz * right[2]
        cam_y = px * up[0] + py * up[1] + pz * up[2]
        depth = px * forward[0] + py * forward[1] + pz * forward[2]
        safe = np.maximum(depth, 1e-6)
        return centre[0] + focal * cam_x / safe, centre[1] - focal * cam_y / safe, depth
