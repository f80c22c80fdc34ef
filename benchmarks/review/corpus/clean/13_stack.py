"""An undo stack for the text editor."""


class UndoStack:
    """Last-in, first-out history of edits."""

    def __init__(self, limit: int = 100) -> None:
        self._items: list[str] = []
        self._limit = limit

    def push(self, edit: str) -> None:
        """Remember an edit, forgetting the oldest beyond the limit."""
        self._items.append(edit)
        if len(self._items) > self._limit:
            self._items.pop(0)

    def pop(self) -> str | None:
        """The most recent edit, or None when there is nothing to undo."""
        return self._items.pop() if self._items else None

    def __len__(self) -> int:
        return len(self._items)
