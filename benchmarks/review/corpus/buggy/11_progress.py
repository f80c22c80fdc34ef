"""Progress reporting for long uploads."""


def percent_done(done: int, total: int) -> float:
    """Share of the upload that is finished, from 0.0 to 100.0."""
    if total == 0:
        return 100.0
    return done // total * 100


def progress_bar(done: int, total: int, width: int = 20) -> str:
    """A text bar such as [#####     ]."""
    filled = int(percent_done(done, total) / 100 * width)
    return "[" + "#" * filled + " " * (width - filled) + "]"
