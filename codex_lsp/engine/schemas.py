"""Output models per feature (pydantic) and their strict JSON schemas for structured outputs.

Each answer is an object holding one array (`EditorAnswer`'s is a union of the three
features' lists), so `engine/stream.py` can yield the elements of the one asked for while the model
writes. Field order matters: the model writes fields in schema order, so the fields a feature
needs first come first.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Literal

from openai.lib._pydantic import to_strict_json_schema
from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Suggestion(_Strict):
    """Text to insert at the cursor (ghost text or a completion item)."""

    insert_text: str = Field(description="Exactly the text to insert at the cursor.")


class CompletionAnswer(_Strict):
    suggestions: list[Suggestion]


Severity = Literal["error", "warning", "information", "hint"]


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)  # a strict schema requires the field anyway; keep it plain


class Finding(_Strict):
    """One problem found by the review; `line` is 1-based as shown in the prompt."""

    # `fix` is what verification checks (engine/verify.py) and the quick fix offers. Answers
    # written without it (older fakes, other servers) parse with an empty fix.

    line: int = Field(description="1-based line number of the problem, as numbered in the file.")
    snippet: str = Field(description="The exact code on that line that is wrong.")
    fix: str = Field(
        default="",
        description="That snippet corrected: the code that should replace it.",
        json_schema_extra=_no_default,
    )
    severity: Severity
    code: str = Field(description="Short kebab-case identifier, e.g. off-by-one.")
    message: str = Field(description="One sentence: what is wrong and why.")


class ReviewAnswer(_Strict):
    findings: list[Finding]


class Rewrite(_Strict):
    """Replacement for the numbered region given in the prompt."""

    replacement: str = Field(description="The complete new text of the region, all lines.")
    explanation: str = Field(description="One sentence saying what changed.")


class RewriteAnswer(_Strict):
    rewrites: list[Rewrite]


# Every feature's answer in one schema: the schema is the start of the prompt OpenAI caches,
# so one schema lets a review or a rewrite read the prefix a completion cached (and the
# reverse). A union in one field (strict structured outputs allow `anyOf` inside a property,
# not at the root): the model writes only the list its task asks for, `{"answer": [...]}`,
# where a record of three required lists made it write the two empty ones after every answer
# (`"findings": [], "rewrites": []`: about 10 output tokens a completion, 4-6% of its
# dollars). Suggestions first: completions are the ones a user waits for. (A comment, not a
# docstring: a docstring would be sent to the model as the schema's description.)
class EditorAnswer(_Strict):
    answer: list[Suggestion] | list[Finding] | list[Rewrite]


ANSWER_FIELD = "answer"  # EditorAnswer's one field


def answer_list(schema: dict[str, Any], default: str) -> str:
    """The field of an answer schema that holds its list: the root's only property (every
    schema here has one), else `default`."""
    properties = schema.get("properties")
    if isinstance(properties, dict) and len(properties) == 1:
        return str(next(iter(properties)))
    return default


@cache
def strict_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON schema OpenAI's strict structured outputs accept (all keys required, closed),
    without pydantic's titles: the schema is part of every prompt, and a title repeats the
    name beside it."""
    schema: dict[str, Any] = _without(to_strict_json_schema(model), "title")
    return schema


@cache
def bare_schema(model: type[BaseModel]) -> dict[str, Any]:
    """`strict_schema` without descriptions, for prompts whose instructions describe the
    fields: every token of the schema is sent with every request."""
    schema: dict[str, Any] = _without(strict_schema(model), "description")
    return schema


def _without(node: Any, keyword: str) -> Any:
    """The schema without `keyword` anywhere (but a field of that name stays)."""
    if isinstance(node, list):
        return [_without(item, keyword) for item in node]
    if not isinstance(node, dict):
        return node
    return {
        key: _fields_without(value, keyword) if key == "properties" else _without(value, keyword)
        for key, value in node.items()
        if key != keyword
    }


def _fields_without(fields: dict[str, Any], keyword: str) -> dict[str, Any]:
    # Field names to schemas: a field may well be called "title" or "description".
    return {name: _without(schema, keyword) for name, schema in fields.items()}
