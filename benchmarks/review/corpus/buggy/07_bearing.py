"""Geometry helpers for the floor-plan tool."""

import math


def distance(x1: float, y1: float, x2: float, y2: float) -> float:
    """Euclidean distance between two points."""
    return math.hypot(x2 - x1, y2 - y1)


def bearing(x1: float, y1: float, x2: float, y2: float) -> float:
    """Angle in degrees from the x axis to the segment from point 1 to point 2."""
    return math.degrees(math.atan2(x2 - x1, y2 - y1))
