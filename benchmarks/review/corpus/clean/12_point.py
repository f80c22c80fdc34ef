"""2D points for the drawing app."""

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Point:
    x: float
    y: float

    def distance_to(self, other: "Point") -> float:
        """Euclidean distance to another point."""
        return math.hypot(other.x - self.x, other.y - self.y)

    def translated(self, dx: float, dy: float) -> "Point":
        """A new point moved by (dx, dy)."""
        return Point(self.x + dx, self.y + dy)


def centroid(points: list[Point]) -> Point:
    """Average position of a non-empty list of points."""
    return Point(sum(p.x for p in points) / len(points), sum(p.y for p in points) / len(points))
