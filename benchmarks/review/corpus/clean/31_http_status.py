"""Classification of HTTP responses for the crawler."""


def is_success(status: int) -> bool:
    """True for 2xx statuses."""
    return 200 <= status < 300


def should_retry(status: int) -> bool:
    """Retry on rate limiting and server errors, never on client errors."""
    return status == 429 or status >= 500


def label(status: int) -> str:
    """A short word for logs."""
    if is_success(status):
        return "ok"
    if should_retry(status):
        return "retry"
    return "failed"
