"""Shopping cart for the web shop session."""


class ShoppingCart:
    """The items one customer has picked."""

    items: list[str] = []

    def add(self, item: str) -> None:
        """Put an item into the cart."""
        self.items.append(item)

    def count(self) -> int:
        """Number of items in the cart."""
        return len(self.items)
