"""A click counter for the analytics widget."""


class Counter:
    """Counts events and can be reset."""

    def __init__(self) -> None:
        self.count = 0

    def increment(self, step: int = 1) -> int:
        """Add `step` and return the new count."""
        self.count += step
        return self.count

    def reset(self) -> None:
        """Start counting from zero again."""
        count = 0
