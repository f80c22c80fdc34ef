"""The prompt a request amounts to, as the cache simulation sees it.

OpenAI caches the tokens of the rendered prompt, which starts with tools and the response
schema, then the instructions, then the conversation. The fake renders the same order:
the serialized JSON schema of ``text.format`` / ``response_format``, then ``instructions``,
then every input item or message content in order (for Responses content blocks, each block
separately so that a ``prompt_cache_breakpoint`` on a block marks the token offset where it
ends).
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from .tokens import Tokenizer
from .wire import ApiError, dumps

__all__ = ["Breakpoint", "Prompt", "chat_prompt", "parse_ttl", "responses_prompt"]

MAX_EXPLICIT_BREAKPOINTS = 4
DEFAULT_BREAKPOINT_TTL = "30m"
_TTL = re.compile(r"^(\d+)([smh])$")
_TASK = re.compile(r"\bTask: ([a-z_]+)")
_TTL_UNIT_S = {"s": 1, "m": 60, "h": 3600}


@dataclass(frozen=True)
class Breakpoint:
    """The prompt prefix of ``offset`` tokens may be written to the cache for ``ttl_s``."""

    offset: int
    ttl_s: float
    explicit: bool


@dataclass
class Prompt:
    """A request's prompt: its tokens, cache routing inputs and breakpoints."""

    model: str
    schema_name: str | None = None
    schema: dict[str, Any] | None = None
    texts: list[str] = field(default_factory=list)
    tokens: list[Hashable] = field(default_factory=list)
    breakpoints: list[Breakpoint] = field(default_factory=list)
    cache_key: str | None = None
    # False when prompt_cache_options.mode == "explicit" turns the end-of-prompt breakpoint off.
    implicit_breakpoint: bool = True
    default_ttl_s: float = 1800.0

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    @property
    def task(self) -> str | None:
        """What the request asks for: the schema's name; for a schema that holds the answers
        of several tasks (more than one list, or one field whose `anyOf` holds several), the
        task its last text names ("Task: review"),
        as a model reading the prompt would tell."""
        properties = (self.schema or {}).get("properties") or {}
        lists = [
            branch
            for v in properties.values()
            if isinstance(v, dict)
            for branch in (v.get("anyOf") or [v])
            if isinstance(branch, dict) and branch.get("type") == "array"
        ]
        if not self.texts or len(lists) < 2:
            return self.schema_name
        # The task in a part of its own (a completion's, before its window: the prompt ends
        # at the cursor), else at the end of the last part (reviews, rewrites).
        own = [text for text in self.texts[1:] if text.startswith("Task: ")]
        named = _TASK.findall(own[-1] if own else self.texts[-1])
        return named[-1] if named else self.schema_name

    def add(self, text: str, tokenizer: Tokenizer, breakpoint_ttl_s: float | None = None) -> None:
        """Append one segment; a breakpoint, if any, sits at the segment's end."""
        self.texts.append(text)
        self.tokens.extend(tokenizer(text))
        if breakpoint_ttl_s is not None:
            self.breakpoints.append(Breakpoint(len(self.tokens), breakpoint_ttl_s, explicit=True))


def parse_ttl(value: Any, param: str) -> float:
    """``"30m"`` / ``"12h"`` (or any N s/m/h) in seconds; 400 for anything else."""
    match = _TTL.match(value) if isinstance(value, str) else None
    if match is None:
        raise ApiError.bad_request(f"Invalid value for '{param}': {value!r}.", param=param)
    return int(match.group(1)) * _TTL_UNIT_S[match.group(2)]


def responses_prompt(body: dict[str, Any], tokenizer: Tokenizer) -> Prompt:
    """Render a ``POST /v1/responses`` body."""
    prompt = _start(body, (body.get("text") or {}).get("format"), tokenizer)
    if isinstance(body.get("instructions"), str):
        prompt.add(body["instructions"], tokenizer)
    items = body.get("input")
    if isinstance(items, str):
        prompt.add(items, tokenizer)
    elif isinstance(items, list):
        for item in items:
            _add_responses_item(prompt, item, tokenizer)
    _check_breakpoints(prompt)
    return prompt


def chat_prompt(body: dict[str, Any], tokenizer: Tokenizer) -> Prompt:
    """Render a ``POST /v1/chat/completions`` body."""
    response_format = body.get("response_format") or {}
    text_format = {**response_format.get("json_schema", {}), "type": response_format.get("type")}
    prompt = _start(body, text_format, tokenizer)
    for message in body.get("messages") or []:
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, str):
            prompt.add(content, tokenizer)
        elif isinstance(content, list):
            for part in content:
                prompt.add(_block_text(part), tokenizer)
    return prompt


def _start(body: dict[str, Any], text_format: Any, tokenizer: Tokenizer) -> Prompt:
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise ApiError.bad_request("you must provide a model parameter", param="model")
    options = body.get("prompt_cache_options") or {}
    prompt = Prompt(
        model=model,
        cache_key=body.get("prompt_cache_key"),
        implicit_breakpoint=options.get("mode", "implicit") != "explicit",
        default_ttl_s=parse_ttl(
            options.get("ttl", DEFAULT_BREAKPOINT_TTL), "prompt_cache_options.ttl"
        ),
    )
    if isinstance(text_format, dict) and text_format.get("type") == "json_schema":
        prompt.schema_name = text_format.get("name")
        prompt.schema = text_format.get("schema") or {}
        prompt.add(dumps(prompt.schema), tokenizer)
    return prompt


def _add_responses_item(prompt: Prompt, item: Any, tokenizer: Tokenizer) -> None:
    content = item.get("content") if isinstance(item, dict) else None
    if isinstance(content, str):
        prompt.add(content, tokenizer)
    elif isinstance(content, list):
        for block in content:
            prompt.add(_block_text(block), tokenizer, _block_breakpoint(prompt, block))
    else:
        # Tool calls, tool outputs, reasoning items: the model still reads them.
        prompt.add(dumps(item), tokenizer)


def _block_text(block: Any) -> str:
    if isinstance(block, dict) and isinstance(block.get("text"), str):
        return str(block["text"])
    if isinstance(block, dict):
        return dumps({k: v for k, v in block.items() if k != "prompt_cache_breakpoint"})
    return dumps(block)


def _block_breakpoint(prompt: Prompt, block: Any) -> float | None:
    marker = block.get("prompt_cache_breakpoint") if isinstance(block, dict) else None
    if not isinstance(marker, dict):
        return None
    if marker.get("mode") != "explicit":
        raise ApiError.bad_request(
            "Invalid value for 'prompt_cache_breakpoint.mode': expected 'explicit'.",
            param="input",
        )
    if "ttl" not in marker:
        return prompt.default_ttl_s
    return parse_ttl(marker["ttl"], "prompt_cache_breakpoint.ttl")


def _check_breakpoints(prompt: Prompt) -> None:
    count = len(prompt.breakpoints)
    if count > MAX_EXPLICIT_BREAKPOINTS:
        raise ApiError.bad_request(
            f"Too many prompt cache breakpoints: {count} were given, but a request may set "
            f"at most {MAX_EXPLICIT_BREAKPOINTS}.",
            param="input",
        )
