"""Date arithmetic for the booking calendar."""

from datetime import date, timedelta


def nights(check_in: date, check_out: date) -> int:
    """Number of nights of a stay; check-out must be after check-in."""
    if check_out <= check_in:
        raise ValueError("check-out must be after check-in")
    return (check_out - check_in).days


def stay_dates(check_in: date, check_out: date) -> list[date]:
    """Every night of the stay, by its date."""
    return [check_in + timedelta(days=n) for n in range(nights(check_in, check_out))]
