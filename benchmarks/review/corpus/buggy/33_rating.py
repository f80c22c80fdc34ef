"""Average star rating for the reviews page."""


def average_rating(ratings: list[int]) -> float:
    """Mean rating such as 4.5; 0.0 when there are no ratings."""
    if not ratings:
        return 0.0
    total = sum(ratings)
    return total // len(ratings)


def stars(rating: float) -> str:
    """Rating as filled and empty stars out of five."""
    full = round(rating)
    return "*" * full + "." * (5 - full)
