"""Price calculations for the checkout page."""

VAT = 0.2


def discounted(price: float, rate: float) -> float:
    """Price after a discount; rate 0.15 means 15 % off."""
    if not 0 <= rate <= 1:
        raise ValueError(f"bad discount rate: {rate}")
    return round(price * (1 + rate), 2)


def with_vat(price: float) -> float:
    """Gross price including VAT."""
    return round(price * (1 + VAT), 2)
