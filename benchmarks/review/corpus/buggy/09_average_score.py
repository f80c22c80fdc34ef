"""Grade book statistics."""


def average_score(scores: dict[str, list[int]], student: str) -> float:
    """Mean of one student's marks."""
    marks = scores[student]
    if not marks:
        return 0.0
    return sum(marks) / len(scores)


def best_student(scores: dict[str, list[int]]) -> str:
    """Name of the student with the highest average."""
    return max(scores, key=lambda name: average_score(scores, name))
