"""Scoring fills through llama.cpp's /infill (what verifies a local review finding's fix), and
the cap on a local review's findings."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest

from codex_lsp.engine.schemas import ReviewAnswer, RewriteAnswer, strict_schema
from codex_lsp.providers.base import ProviderError
from codex_lsp.providers.fill_scores import score_fill_tokens
from codex_lsp.providers.infill import InfillUnsupported, gbnf_literal, scoring_body
from codex_lsp.providers.local import capped_findings


async def summed(client: httpx2.AsyncClient, *args: Any, **kwargs: Any) -> list[float]:
    """Each fill's summed log-probability, as the local provider scores a fix."""
    return [sum(t) for t in await score_fill_tokens(client, *args, **kwargs)]


def scored(content: str, logprobs: list[float]) -> dict[str, Any]:
    """An /infill answer as llama.cpp writes it with `n_probs`."""
    return {
        "content": content,
        "completion_probabilities": [
            {"token": "t", "logprob": p, "top_logprobs": [{"token": "t", "logprob": p}]}
            for p in logprobs
        ],
    }


class Server:
    def __init__(self, answers: dict[str, dict[str, Any]], status: int = 200) -> None:
        self.answers, self.status = answers, status
        self.bodies: list[dict[str, Any]] = []

    def handle(self, request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        if request.url.path == "/tokenize":  # no ids: the fill is forced as a string literal
            return httpx2.Response(200, json={"tokens": []})
        self.bodies.append(body)
        if self.status != 200:
            return httpx2.Response(self.status, text="infill is not supported by this model")
        fill = json.loads(body["grammar"].removeprefix("root ::= "))
        return httpx2.Response(200, json=self.answers[fill])


async def score(server: Server, fills: list[str]) -> list[float]:
    async with httpx2.AsyncClient(transport=httpx2.MockTransport(server.handle)) as client:
        return await summed(
            client, "http://127.0.0.1:9/v1", "def f(n):\n    ", "\n", fills, api_key="k"
        )


async def test_each_fill_is_scored_by_its_summed_token_logprobs() -> None:
    server = Server(
        {
            "return n % 2 == 1": scored("return n % 2 == 1", [-0.5, -1.0, -4.0]),
            "return n % 2 == 0": scored("return n % 2 == 0", [-0.5, -1.0, -0.5]),
        }
    )
    assert await score(server, ["return n % 2 == 1", "return n % 2 == 0"]) == [-5.5, -2.0]
    first = server.bodies[0]
    assert first["input_prefix"] == "def f(n):\n    " and first["input_suffix"] == "\n"
    assert first["n_probs"] == 1 and first["temperature"] == 0 and first["cache_prompt"]


async def test_an_answer_other_than_the_fill_is_an_error_not_a_score() -> None:
    server = Server({"x": scored("y", [-0.1])})
    with pytest.raises(ProviderError, match="did not score"):
        await score(server, ["x"])


async def test_a_model_without_fill_in_the_middle_says_so() -> None:
    with pytest.raises(InfillUnsupported):
        await score(Server({}, status=501), ["x"])


@pytest.mark.parametrize(
    ("text", "literal"),
    [
        ("a", '"a"'),
        ('say("hi")', '"say(\\"hi\\")"'),
        ("a\\b", '"a\\\\b"'),
        ("tab\there", '"tab\\there"'),
    ],
)
def test_a_fill_is_one_grammar_literal(text: str, literal: str) -> None:
    assert gbnf_literal(text) == literal
    assert json.loads(literal) == text  # GBNF string escapes are JSON's for these


def test_the_scoring_request_allows_only_the_fill() -> None:
    body = scoring_body("p", "s", "x = 1")
    assert body["grammar"] == 'root ::= "x = 1"'
    assert body["n_predict"] >= len("x = 1") + 1


def test_a_local_review_answers_with_few_findings_other_answers_are_untouched() -> None:
    review = capped_findings(strict_schema(ReviewAnswer), 3)
    assert review["properties"]["findings"]["maxItems"] == 3
    assert "maxItems" not in strict_schema(ReviewAnswer)["properties"]["findings"]
    assert capped_findings(strict_schema(RewriteAnswer), 3) == strict_schema(RewriteAnswer)
