"""Route analysis for the delivery planner."""


def legs(stops: list[str]) -> list[tuple[str, str]]:
    """Consecutive pairs of stops: each leg of the route."""
    return [(stops[i], stops[i + 1]) for i in range(len(stops) - 1)]


def has_loop(stops: list[str]) -> bool:
    """True when the route visits a stop twice."""
    return len(set(stops)) != len(stops)


def describe(stops: list[str]) -> str:
    """For example 'A -> B -> C'."""
    return " -> ".join(stops)
