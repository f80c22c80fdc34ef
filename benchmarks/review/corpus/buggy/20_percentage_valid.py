"""Validation for the survey form."""


def is_valid_percentage(value: float) -> bool:
    """True for numbers from 0 to 100 inclusive."""
    return value >= 0 or value <= 100


def validate_answers(answers: dict[str, float]) -> list[str]:
    """Names of the questions whose answer is not a valid percentage."""
    return [name for name, value in answers.items() if not is_valid_percentage(value)]
