"""Alternative review prompts and schemas, measured in-process on the embedded local model.

    .venv/bin/python -m benchmarks.review.variants --variants engine pairs
        [--local-model 0.5b|1.5b] [--start N] [--limit N] [--files NAME ...] [--verbose]

Every variant builds `ModelRequest`s itself, streams them through the engine's `ChatProvider`
against the llama.cpp server that `LocalModelServer` starts (greedy decoding: the provider
sends temperature 0, llama.cpp enforces the json_schema) and parses the answer with the
engine's `ItemStream`. Results (with every raw answer, for `rescore.py`) go to `results/`.

Whole file, one request:

* `engine`: the engine's own prompt and locating (`review_request`, `locate_finding`).
* `whole-short`: short instructions, each bug as exact code plus a problem.
* `pairs`: each bug as (wrong code, fixed code); the diff between the two is the finding
  (`locate_pair`), identical sides mean "no bug".

Per function, the instructions and the whole file first (cached by llama.cpp), the question
about one function last:

* `call-line` / `call-code` / `call-both`: "example call, expected, actual" then the bug line,
  the wrong code or both (FACTS.md); a finding needs expected != actual.
* `trace`, `trace-shot`, `trace-shot-fn`: "call, expected, trace, actual, bug code", without
  and with three worked examples in the instructions (and with the function repeated).
* `intent-code`: "what it should do" first, then the contradicting code.
* `line-fix`: the most suspicious line and its corrected form.
* `fix-diff`: the whole function written again with its bug fixed; the AST diff is the bug.

What llama.cpp shows a model is the instructions and the prompt only: the json_schema
constrains the output grammar, its descriptions are never seen, so field names carry the
meaning. `maxLength` in a schema makes llama.cpp's grammar sampling several times slower.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import difflib
import os
import re
import sys
import textwrap
import time
from collections.abc import Callable
from contextlib import aclosing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from benchmarks.review.corpus import (
    TABLE_HEADER,
    CorpusFile,
    FileScore,
    load_corpus,
    load_real,
    score_file,
    summarize,
    write_results,
)
from codex_lsp.engine.context import Snapshot
from codex_lsp.engine.prompts import numbered, review_request
from codex_lsp.engine.review import locate_finding
from codex_lsp.engine.schemas import Finding, strict_schema
from codex_lsp.engine.stream import ItemStream
from codex_lsp.local.server import LocalModelServer
from codex_lsp.providers.base import ModelRequest, PromptPart, ProviderConfig, TextDelta, Usage
from codex_lsp.providers.cards import card_for
from codex_lsp.providers.chat import ChatProvider

ItemT = TypeVar("ItemT", bound=BaseModel)

LOCAL_MODELS = {"0.5b": "qwen2.5-coder-0.5b", "1.5b": "qwen2.5-coder-1.5b"}
WHOLE_FILE_OUTPUT_TOKENS = 384  # the LocalProvider's cap, as in the engine
FUNCTION_OUTPUT_TOKENS = 200
FIX_OUTPUT_TOKENS = 320
VERBOSE = False  # --verbose: print every raw answer


# -- schemas -----------------------------------------------------------------------------


class _Item(BaseModel):
    model_config = ConfigDict(extra="ignore")


class CallCheck(_Item):
    """One worked example of a function call (FACTS.md: the schema that made 0.5B find bugs)."""

    example_call: str = Field(description="One concrete call with small arguments.")
    expected: str = Field(description="What the call should return, judging by name/docstring.")
    actual: str = Field(description="What the code as written returns or raises for that call.")
    bug_line: int | None = Field(
        description="Number of the line that makes actual differ from expected; null if equal."
    )


class CallCheckCode(_Item):
    example_call: str = Field(description="One concrete call with small arguments.")
    expected: str = Field(description="What the call should return, judging by name/docstring.")
    actual: str = Field(description="What the code as written returns or raises for that call.")
    wrong_code: str = Field(
        description="Exact code of the line that makes actual differ from expected; '' if equal."
    )


class CallCheckBoth(_Item):
    example_call: str = Field(description="One concrete call with small arguments.")
    expected: str = Field(description="What the call should return, judging by name/docstring.")
    actual: str = Field(description="What the code as written returns or raises for that call.")
    bug_line: int | None = Field(
        description="Number of the line that makes actual differ from expected; null if equal."
    )
    wrong_code: str = Field(description="Exact code of that line; '' if there is none.")


class IntentCheck(_Item):
    purpose: str = Field(description="One sentence: what the function should do.")
    wrong_code: str = Field(
        description="Exact code of a line that contradicts the purpose; '' if none does."
    )
    problem: str = Field(description="Why that line is wrong; '' if none is.")


class TraceCheck(_Item):
    """Run the function in the head on one example: the trace grounds `actual` in the code."""

    call: str = Field(description="One concrete call with small arguments.")
    expected: str = Field(description="What the docstring and name promise for that call.")
    trace: str = Field(description="What each line does for that call, with the values.")
    actual: str = Field(description="What the code returns or raises.")
    bug_code: str = Field(
        description="Exact code of the line that makes actual differ from expected; '' if equal."
    )


class FixedFunction(_Item):
    """The function written again with its bug fixed; the diff to the original is the bug."""

    fixed_function: str = Field(
        description="The complete function from its def line, without its docstring, bug fixed."
    )
    change: str = Field(description="One sentence: what was changed and why; '' if nothing.")


class LineFix(_Item):
    """The most suspicious line and its corrected form; equal lines mean no bug."""

    suspect: str = Field(description="Exact code of the line most likely wrong.")
    fixed: str = Field(description="That line corrected; unchanged if right.")
    reason: str = Field(description="What was wrong; '' if fixed equals suspect.")


class CodePair(_Item):
    """A wrong line and its correction; the pair is the whole diagnostic (and its fix)."""

    wrong_code: str = Field(description="The exact wrong code, copied from one line.")
    fixed_code: str = Field(description="That code corrected.")


class ShortBug(_Item):
    code: str = Field(description="The exact wrong code, copied from one line of the file.")
    problem: str = Field(description="One sentence: what goes wrong.")


def _one_item_answer(item: type[BaseModel], list_field: str) -> dict[str, Any]:
    """A strict schema for {list_field: [item]} with exactly one element."""
    schema = {
        "type": "object",
        "properties": {
            list_field: {"type": "array", "items": strict_schema(item), "minItems": 1,
                         "maxItems": 1},
        },
        "required": [list_field],
        "additionalProperties": False,
    }  # fmt: skip
    return schema


def _bugs_answer(item: type[BaseModel]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"bugs": {"type": "array", "items": strict_schema(item), "maxItems": 3}},
        "required": ["bugs"],
        "additionalProperties": False,
    }


# -- instructions ------------------------------------------------------------------------

CALL_LINE_INSTRUCTIONS = """\
You check one Python function for a bug. You get a file with numbered lines (the number
before "|") and the name of one function in it. Answer in this order:
example_call: one concrete call of the function with small arguments.
expected: what that call should return, judging by the function's name and docstring.
actual: what the code as written really returns (or raises) for that call.
bug_line: if actual differs from expected, the number of the line that causes it; else null.
Keep every field short."""

CALL_CODE_INSTRUCTIONS = """\
You check one Python function for a bug. You get a file and the name of one function in it.
Answer in this order:
example_call: one concrete call of the function with small arguments.
expected: what that call should return, judging by the function's name and docstring.
actual: what the code as written really returns (or raises) for that call.
wrong_code: if actual differs from expected, the exact code of the line that causes it,
copied from the function; else "".
Keep every field short."""

CALL_BOTH_INSTRUCTIONS = """\
You check one Python function for a bug. You get a file with numbered lines (the number
before "|") and the name of one function in it. Answer in this order:
example_call: one concrete call of the function with small arguments.
expected: what that call should return, judging by the function's name and docstring.
actual: what the code as written really returns (or raises) for that call.
bug_line: if actual differs from expected, the number of the line that causes it; else null.
wrong_code: the code of that line without its number, or "" when bug_line is null.
Keep every field short."""

INTENT_INSTRUCTIONS = """\
You check one Python function for a bug. You get a file and the name of one function in it.
Answer in this order:
purpose: one sentence saying what the function should do, from its name and docstring.
wrong_code: the exact code of a line of the function that contradicts that purpose (wrong
condition, operator, bound, variable, name or return), copied from the function; "" if
every line is right.
problem: why that line is wrong, or "" if wrong_code is "".
Keep every field short."""

TRACE_INSTRUCTIONS = """\
You check one Python function for a bug by running it in your head on one small example.
Answer with these fields, in order:
call: one concrete call of the function with small arguments.
expected: the result the docstring and the function name promise for that call.
trace: what each line of the function does for that call, with the values, until it returns.
actual: the value the code really returns (or the exception it raises), from the trace.
bug_code: if actual differs from expected, the exact code of the line that causes it, copied
from the function; else "".
Keep every field short."""

TRACE_EXAMPLES = """

Example. Function:
def is_negative(x):
    \"\"\"True when x is below zero.\"\"\"
    return x > 0
Answer: {"call": "is_negative(-2)", "expected": "True", "trace": "-2 > 0 is False; returns \
False", "actual": "False", "bug_code": "return x > 0"}

Example. Function:
def count_words(text):
    \"\"\"Number of words separated by spaces.\"\"\"
    return len(text.split())
Answer: {"call": "count_words('a b c')", "expected": "3", "trace": "split gives ['a', 'b', \
'c']; len is 3; returns 3", "actual": "3", "bug_code": ""}

Example. Function:
def total(prices):
    \"\"\"Sum of all prices.\"\"\"
    result = 0
    for i in range(len(prices) - 1):
        result += prices[i]
    return result
Answer: {"call": "total([1, 2, 3])", "expected": "6", "trace": "range(2) gives i = 0, 1; \
result = 1 + 2 = 3; returns 3", "actual": "3", "bug_code": "for i in range(len(prices) - 1):"}"""

FIX_INSTRUCTIONS = """\
You fix bugs in Python functions. You get a file and one function from it. Write that
whole function again, from its def line to its last line but without its docstring, with its
bug fixed: the same code line for line, with only the wrong line changed. If the function
has no bug, write it again unchanged. A bug is code that does not do what the function's name
and docstring say, or that crashes: a wrong condition, operator, bound, index, variable or
name, a missing return. Do not change style, names, type hints or comments. Then say in one
sentence what you changed, or "" if nothing."""

LINE_FIX_INSTRUCTIONS = """\
You look for a bug in one Python function. You get a file and one function from it.
Answer with these fields, in order:
suspect: the exact code of the one line of the function that is most likely wrong.
fixed: that line as it must read for the function to do what its name and docstring say; the
same line unchanged when it is already right.
reason: one sentence saying what was wrong, or "" when fixed is the same as suspect."""

PAIRS_INSTRUCTIONS = """\
You review a Python file for bugs: code that does not do what its function's name and
docstring say, or that crashes. For each bug give wrong_code, the exact wrong code copied
from one line, and fixed_code, that code corrected. At most three bugs. A correct file gets
an empty list: do not report style, missing checks or anything you are unsure of."""

WHOLE_SHORT_INSTRUCTIONS = """\
You review a Python file for real bugs: code that does not do what its names and docstrings
say, or that crashes. Report only definite bugs, at most three, each as the exact wrong code
copied from one line and one sentence saying what goes wrong. Correct code gets an empty list."""


# -- locating ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FunctionSpan:
    """A function or method: 1-based first (def) and last line, and its qualified name."""

    name: str
    first: int
    last: int


def functions_of(text: str) -> list[FunctionSpan]:
    """Top-level functions and methods of classes, in source order."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return []
    spans: list[FunctionSpan] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            spans.append(FunctionSpan(node.name, node.lineno, node.end_lineno or node.lineno))
        elif isinstance(node, ast.ClassDef):
            for child in node.body:
                if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                    last = child.end_lineno or child.lineno
                    spans.append(FunctionSpan(f"{node.name}.{child.name}", child.lineno, last))
    return spans


_NUMBER_PREFIX = re.compile(r"^\s*\d+\s*\|\s?")


def find_code(lines: list[str], code: str, first: int, last: int) -> int | None:
    """1-based line in first..last whose text contains `code` (stripped), else None."""
    wanted = _NUMBER_PREFIX.sub("", code).strip()
    if not wanted:
        return None
    for number in range(first, last + 1):
        if wanted in lines[number - 1]:
            return number
    # The model sometimes copies a line with a small change: accept the line it starts like.
    head = wanted[: max(8, len(wanted) // 2)]
    for number in range(first, last + 1):
        if lines[number - 1].strip().startswith(head):
            return number
    return None


_STATEMENT_HEAD = re.compile(r"^(return|yield|await|[\w.\[\]]+\s*[-+*/]?=)\s+")
FUZZY_RATIO = 0.75  # paraphrased copies ("x = a // b" for "return a // b") score about 0.8


def find_code_fuzzy(lines: list[str], code: str, first: int, last: int) -> int | None:
    """`find_code`, else the most similar line in first..last if it is similar enough."""
    exact = find_code(lines, code, first, last)
    if exact is not None:
        return exact
    wanted = " ".join(_NUMBER_PREFIX.sub("", code).split())
    core = _STATEMENT_HEAD.sub("", wanted)  # "return f(x)" copied for "return g(f(x))"
    if len(core) >= 12:
        inner = find_code(lines, core, first, last)
        if inner is not None:
            return inner
    best, best_ratio = None, FUZZY_RATIO
    for number in range(first, last + 1):
        candidate = " ".join(lines[number - 1].split())
        if not candidate:
            continue
        ratio = difflib.SequenceMatcher(None, wanted, candidate, autojunk=False).ratio()
        if ratio >= best_ratio:
            best, best_ratio = number, ratio
    return best


def _same(expected: str, actual: str) -> bool:
    def norm(s: str) -> str:
        return re.sub(r"[\s'\"`.]+", "", s.lower())

    return norm(expected) == norm(actual)


def locate_in_function(
    lines: list[str], span: FunctionSpan, bug_line: int | None, wrong_code: str
) -> int | None:
    """Map a per-function answer to a 1-based line of that function, or drop it.

    The exact code wins (searched inside the function only); a line number is used when no
    code was given or it was not found, and only if it lies inside the function.
    """
    if wrong_code.strip():
        by_code = find_code(lines, wrong_code, span.first, span.last)
        if by_code is not None:
            return by_code
    if bug_line is not None and span.first <= bug_line <= span.last:
        return bug_line
    return None


def _docstring_lines(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[int]:
    body = function.body
    if (
        body
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
    ):
        return set(range(body[0].lineno, (body[0].end_lineno or body[0].lineno) + 1))
    return set()


def _first_function(code: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    try:
        tree = ast.parse(textwrap.dedent(code))
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            return node
    return None


def _semantics(function: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    """The function's AST without docstring, annotations and decorators, as text."""
    clone = ast.parse(ast.unparse(function)).body[0]
    assert isinstance(clone, ast.FunctionDef | ast.AsyncFunctionDef)
    if _docstring_lines(clone):
        clone.body = clone.body[1:] or [ast.Pass()]
    clone.returns = None
    clone.decorator_list = []
    for node in ast.walk(clone):
        if isinstance(node, ast.arg):
            node.annotation = None
        elif isinstance(node, ast.AnnAssign) and node.value is None:
            node.annotation = ast.Constant(None)
    return ast.dump(clone, annotate_fields=False, include_attributes=False)


def _code_lines(text: str, skip: set[int], first: int = 1) -> list[tuple[int, str]]:
    """(line number, whitespace-normalised code) of the non-blank, non-comment lines."""
    out = []
    for number, line in enumerate(text.split("\n"), first):
        stripped = " ".join(line.split())
        if number in skip or not stripped or stripped.startswith("#"):
            continue
        out.append((number, stripped))
    return out


MAX_FIX_HUNKS = 2  # a rewrite that changes more places than this is noise, not a fix


def changed_lines(lines: list[str], span: FunctionSpan, fixed_code: str) -> list[int]:
    """1-based lines of the function that the model's fixed version changes, if it changes
    what the function does; [] for a copy, a reformatting or an unparsable answer."""
    original_text = "\n".join(lines[span.first - 1 : span.last])
    original = _first_function(original_text)
    fixed = _first_function(fixed_code)
    if original is None or fixed is None or _semantics(original) == _semantics(fixed):
        return []
    skip = {n + span.first - 1 for n in _docstring_lines(original)}
    before = _code_lines(original_text, skip, span.first)
    fixed_skip = _docstring_lines(fixed)
    after = _code_lines(textwrap.dedent(fixed_code), fixed_skip)
    matcher = difflib.SequenceMatcher(None, [t for _, t in before], [t for _, t in after])
    hunks: list[int] = []
    for tag, i1, _i2, _j1, _j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if tag in ("replace", "delete"):
            hunks.append(before[i1][0])
        else:  # insert: blame the line before the insertion
            hunks.append(before[max(i1 - 1, 0)][0])
    if len(hunks) > MAX_FIX_HUNKS:
        return []
    return hunks


# -- running -----------------------------------------------------------------------------


@dataclass
class Outcome:
    lines: list[int] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    input_tokens: int = 0
    cached_tokens: int = 0
    output_tokens: int = 0
    answers: list[str] = field(default_factory=list)


async def stream_items(
    provider: ChatProvider,
    request: ModelRequest,
    item_model: type[ItemT],
    list_field: str,
    outcome: Outcome,
) -> list[ItemT]:
    parser = ItemStream(item_model, list_field)
    items: list[ItemT] = []
    async with aclosing(provider.stream(request, "local")) as events:
        async for event in events:
            if isinstance(event, TextDelta):
                items += parser.feed(event.text)
            elif isinstance(event, Usage):
                outcome.input_tokens += event.input_tokens
                outcome.cached_tokens += event.cached_tokens
                outcome.output_tokens += event.output_tokens
    items += parser.finish()
    outcome.answers.append(parser.text)
    if VERBOSE:
        print(f"    {request.parts[-1].text[:60]!r} -> {parser.text}", file=sys.stderr)
    return items


def display_name(path: Path) -> str:
    """The file name the model sees: no folder (it says buggy/clean), no corpus number."""
    return re.sub(r"^\d+_", "", path.name)


def _file_part(path: Path, text: str, with_numbers: bool) -> str:
    body = numbered(text.rstrip("\n")) if with_numbers else text.rstrip("\n")
    return f"File: {display_name(path)}\n<file>\n{body}\n</file>\n"


def _request(instructions: str, parts: tuple[PromptPart, ...], schema: dict[str, Any],
             max_tokens: int) -> ModelRequest:  # fmt: skip
    return ModelRequest(
        feature="diagnostics",
        instructions=instructions,
        parts=parts,
        schema_name="review",
        json_schema=schema,
        max_output_tokens=max_tokens,
    )


async def review_engine(provider: ChatProvider, path: Path, text: str) -> Outcome:
    """The engine's own prompt, schema and locating, as `codex-lsp check` sends them."""
    uri = f"file:///project/src/{display_name(path)}"  # the folder would say buggy/clean
    snapshot = Snapshot(uri, 0, text, "python")
    card = card_for("local")
    budget = card.max_prompt_tokens or 1800
    request = review_request(snapshot, [], max_context_tokens=budget)
    request = _request(
        request.instructions, request.parts, request.json_schema, WHOLE_FILE_OUTPUT_TOKENS
    )
    outcome = Outcome()
    for finding in await stream_items(provider, request, Finding, "findings", outcome):
        located = locate_finding(snapshot, finding)
        if located is not None:
            outcome.lines.append(located.span.start.line + 1)
            outcome.messages.append(f"{finding.line}: {finding.snippet!r}: {finding.message}")
    return outcome


async def review_whole_short(provider: ChatProvider, path: Path, text: str) -> Outcome:
    lines = text.split("\n")
    parts = (
        PromptPart(_file_part(path, text, with_numbers=False), breakpoint=True),
        PromptPart("List the definite bugs of this file."),
    )
    request = _request(
        WHOLE_SHORT_INSTRUCTIONS, parts, _bugs_answer(ShortBug), WHOLE_FILE_OUTPUT_TOKENS
    )
    outcome = Outcome()
    for bug in await stream_items(provider, request, ShortBug, "bugs", outcome):
        line = find_code(lines, bug.code, 1, len(lines))
        if line is not None:
            outcome.lines.append(line)
            outcome.messages.append(f"{line}: {bug.code!r}: {bug.problem}")
    return outcome


async def review_pairs(provider: ChatProvider, path: Path, text: str) -> Outcome:
    """Whole file: (wrong code, fixed code) pairs; a pair whose two sides agree is dropped."""
    lines = text.split("\n")
    parts = (
        PromptPart(_file_part(path, text, with_numbers=False), breakpoint=True),
        PromptPart("List the bugs of this file."),
    )
    request = _request(PAIRS_INSTRUCTIONS, parts, _bugs_answer(CodePair), WHOLE_FILE_OUTPUT_TOKENS)
    outcome = Outcome()
    for pair in await stream_items(provider, request, CodePair, "bugs", outcome):
        for line, wrong, fixed in locate_pair(lines, pair.wrong_code, pair.fixed_code):
            outcome.lines.append(line)
            outcome.messages.append(f"{line}: {wrong!r} -> {fixed!r}")
    return outcome


MAX_PAIR_HUNKS = 2  # more changed places than this in one pair is a rewrite, not a fix


def locate_pair(lines: list[str], wrong_code: str, fixed_code: str) -> list[tuple[int, str, str]]:
    """Lines of the file that a (wrong code, fixed code) pair changes, with both versions.

    Small models copy a line or a whole function into `wrong_code` and the corrected copy into
    `fixed_code`. The two are compared line by line (whitespace ignored); each changed line
    of the wrong side is searched in the file. Identical sides (a correct function copied
    twice) and pairs whose changed code is not in the file give nothing.
    """
    before = [" ".join(line.split()) for line in wrong_code.split("\n") if line.strip()]
    after = [" ".join(line.split()) for line in fixed_code.split("\n") if line.strip()]
    if [_code_key(b) for b in before] == [_code_key(a) for a in after]:
        return []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    changes: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        wrong = before[i1] if i1 < i2 else before[max(i1 - 1, 0)] if before else ""
        fixed = "\n".join(after[j1:j2])
        if _code_key(fixed).startswith(_code_key(wrong).rstrip(":")):
            continue  # only appends to the line (a body after a def, a name): not a fix
        changes.append((wrong, fixed))
    if len(changes) > MAX_PAIR_HUNKS:
        return []
    found = []
    for wrong, fixed in changes:
        line = find_code_fuzzy(lines, wrong, 1, len(lines))
        if line is not None:
            found.append((line, wrong, fixed))
    return found


@dataclass(frozen=True)
class PerFunction:
    """A per-function variant: its instructions, item schema and how to read an answer."""

    instructions: str
    item: type[_Item]
    with_numbers: bool
    read: Callable[[Any], tuple[int | None, str, bool, str]]  # line, code, is_bug, message
    show_function: bool = False  # repeat the function's code in the question


def _read_call_line(a: CallCheck) -> tuple[int | None, str, bool, str]:
    bug = a.bug_line is not None and not _same(a.expected, a.actual)
    return a.bug_line, "", bug, f"{a.example_call} -> {a.actual!r}, expected {a.expected!r}"


def _read_call_code(a: CallCheckCode) -> tuple[int | None, str, bool, str]:
    bug = bool(a.wrong_code.strip()) and not _same(a.expected, a.actual)
    return None, a.wrong_code, bug, f"{a.example_call} -> {a.actual!r}, expected {a.expected!r}"


def _read_call_both(a: CallCheckBoth) -> tuple[int | None, str, bool, str]:
    named = a.bug_line is not None or bool(a.wrong_code.strip())
    bug = named and not _same(a.expected, a.actual)
    message = f"{a.example_call} -> {a.actual!r}, expected {a.expected!r}"
    return a.bug_line, a.wrong_code, bug, message


def _read_trace(a: TraceCheck) -> tuple[int | None, str, bool, str]:
    bug = bool(a.bug_code.strip()) and not _same(a.expected, a.actual)
    return None, a.bug_code, bug, f"{a.call} -> {a.actual!r}, expected {a.expected!r}"


def _read_line_fix(a: LineFix) -> tuple[int | None, str, bool, str]:
    bug = bool(a.suspect.strip()) and _code_key(a.suspect) != _code_key(a.fixed)
    return None, a.suspect, bug, f"{a.suspect!r} -> {a.fixed!r}: {a.reason}"


def _code_key(code: str) -> str:
    return re.sub(r"\s+", "", _NUMBER_PREFIX.sub("", code))


def _read_intent(a: IntentCheck) -> tuple[int | None, str, bool, str]:
    return None, a.wrong_code, bool(a.wrong_code.strip()), f"{a.purpose} / {a.problem}"


PER_FUNCTION: dict[str, PerFunction] = {
    "call-line": PerFunction(CALL_LINE_INSTRUCTIONS, CallCheck, True, _read_call_line),
    "call-code": PerFunction(CALL_CODE_INSTRUCTIONS, CallCheckCode, False, _read_call_code),
    "call-both": PerFunction(CALL_BOTH_INSTRUCTIONS, CallCheckBoth, True, _read_call_both),
    "intent-code": PerFunction(INTENT_INSTRUCTIONS, IntentCheck, False, _read_intent),
    "line-fix": PerFunction(
        LINE_FIX_INSTRUCTIONS, LineFix, False, _read_line_fix, show_function=True
    ),
    "trace": PerFunction(TRACE_INSTRUCTIONS, TraceCheck, False, _read_trace),
    "trace-shot": PerFunction(TRACE_INSTRUCTIONS + TRACE_EXAMPLES, TraceCheck, False, _read_trace),
    "trace-shot-fn": PerFunction(
        TRACE_INSTRUCTIONS + TRACE_EXAMPLES, TraceCheck, False, _read_trace, show_function=True
    ),
}


def function_question(span: FunctionSpan, variant: PerFunction, lines: list[str]) -> str:
    where = f" (lines {span.first}-{span.last})" if variant.with_numbers else ""
    if variant.show_function:
        code = "\n".join(lines[span.first - 1 : span.last])
        return f"Check this function{where}:\n{code}"
    return f"Check the function `{span.name}`{where}."


async def review_per_function(
    provider: ChatProvider, path: Path, text: str, variant: PerFunction
) -> Outcome:
    lines = text.split("\n")
    file_part = PromptPart(_file_part(path, text, variant.with_numbers), breakpoint=True)
    schema = _one_item_answer(variant.item, "checks")
    outcome = Outcome()
    for span in functions_of(text):
        question = PromptPart(function_question(span, variant, lines))
        request = _request(
            variant.instructions, (file_part, question), schema, FUNCTION_OUTPUT_TOKENS
        )
        for answer in await stream_items(provider, request, variant.item, "checks", outcome):
            bug_line, code, is_bug, message = variant.read(answer)
            if not is_bug:
                continue
            line = locate_in_function(lines, span, bug_line, code)
            if line is not None:
                outcome.lines.append(line)
                outcome.messages.append(f"{line}: {span.name}: {code!r}: {message}")
    return outcome


async def review_fix_diff(provider: ChatProvider, path: Path, text: str) -> Outcome:
    """Per function: "write it again with its bug fixed"; the changed lines are findings."""
    lines = text.split("\n")
    file_part = PromptPart(_file_part(path, text, with_numbers=False), breakpoint=True)
    schema = _one_item_answer(FixedFunction, "fixes")
    outcome = Outcome()
    for span in functions_of(text):
        code = "\n".join(lines[span.first - 1 : span.last])
        question = PromptPart(f"Function `{span.name}`:\n{code}\nWrite it again, bug fixed.")
        request = _request(FIX_INSTRUCTIONS, (file_part, question), schema, FIX_OUTPUT_TOKENS)
        for answer in await stream_items(provider, request, FixedFunction, "fixes", outcome):
            for line in changed_lines(lines, span, answer.fixed_function):
                outcome.lines.append(line)
                outcome.messages.append(f"{line}: {span.name}: {answer.change}")
    return outcome


async def review_with(variant: str, provider: ChatProvider, path: Path, text: str) -> Outcome:
    if variant == "engine":
        return await review_engine(provider, path, text)
    if variant == "whole-short":
        return await review_whole_short(provider, path, text)
    if variant == "pairs":
        return await review_pairs(provider, path, text)
    if variant == "fix-diff":
        return await review_fix_diff(provider, path, text)
    return await review_per_function(provider, path, text, PER_FUNCTION[variant])


VARIANTS = ["engine", "whole-short", "pairs", "fix-diff", *PER_FUNCTION]


async def run_variants(args: argparse.Namespace) -> None:
    server = LocalModelServer(local_model=LOCAL_MODELS[args.local_model])
    try:
        endpoint = await server.endpoint()  # the child answers only its per-start key
        provider = ChatProvider(
            ProviderConfig(base_url=endpoint.base_url, api_key=endpoint.api_key, timeout_s=300)
        )
        if args.corpus == "real":
            files = load_real(args.split, args.limit, args.files)
        else:
            files = load_corpus(args.limit, args.files, args.start)
        corpus = "" if args.corpus == "small" else f"-real-{args.split or 'all'}"
        for variant in args.variants:
            label = f"{variant}-qwen-{args.local_model}{corpus}" + (args.suffix or "")
            scores: list[FileScore] = []
            loads: list[float] = []
            for item in files:
                scores.append(await _review_file(variant, provider, item))
                loads.append(os.getloadavg()[0])
            meta = {
                "variant": variant,
                "local_model": args.local_model,
                "corpus": args.corpus,
                "split": args.split,
                "load_average_1min": {
                    "mean": round(sum(loads) / max(1, len(loads)), 2),
                    "min": round(min(loads, default=0.0), 2),
                    "max": round(max(loads, default=0.0), 2),
                },
            }
            write_results(label, scores, meta)
            print(TABLE_HEADER)
            print(summarize(label, scores).row(), flush=True)
        await provider.aclose()
    finally:
        await server.stop()


async def _review_file(variant: str, provider: ChatProvider, item: CorpusFile) -> FileScore:
    text = item.path.read_text(encoding="utf-8")
    started = time.perf_counter()
    error = None
    try:
        outcome = await review_with(variant, provider, item.path, text)
    except Exception as exc:  # a failed call is a figure too, not a crash of the benchmark
        outcome, error = Outcome(), repr(exc)[:300]
    seconds = time.perf_counter() - started
    usage = (outcome.input_tokens, outcome.cached_tokens, outcome.output_tokens)
    score = score_file(
        item, outcome.lines, seconds, outcome.messages, error, usage, outcome.answers
    )
    verdict = ("found" if score.found else "missed") if score.buggy else "clean"
    print(
        f"  {variant} {score.name}: {verdict} lines {score.lines} {seconds:.1f}s"
        f" in={usage[0]} cached={usage[1]} out={usage[2]}" + (f" ERROR {error}" if error else ""),
        file=sys.stderr,
        flush=True,
    )
    return score


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Measure review prompt variants locally.")
    parser.add_argument("--variants", nargs="+", default=["call-code"], choices=VARIANTS)
    parser.add_argument("--local-model", default="0.5b", choices=sorted(LOCAL_MODELS))
    parser.add_argument("--limit", type=int, help="only the first N buggy and N clean files")
    parser.add_argument("--start", type=int, default=0, help="skip the first N of each kind")
    parser.add_argument("--files", nargs="*", help="only files whose name contains one of these")
    parser.add_argument("--suffix", help="appended to the results label")
    parser.add_argument("--corpus", default="small", choices=["small", "real"])
    parser.add_argument("--split", choices=["tune", "heldout", "heldout2"], help="corpus_real part")
    parser.add_argument("--verbose", action="store_true", help="print every raw answer")
    args = parser.parse_args(argv)
    global VERBOSE
    VERBOSE = args.verbose
    asyncio.run(run_variants(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
