"""A tiny job queue for the background worker."""


def enqueue(queue: list[str], job: str) -> None:
    """Add a job at the back of the queue."""
    queue.append(job)


def drain(queue: list[str]) -> list[str]:
    """Remove and return every job of the queue, oldest first."""
    items = []
    while queue:
        items.append(queue[0])
    return items
