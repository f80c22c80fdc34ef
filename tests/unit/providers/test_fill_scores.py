"""Scoring fills in their own tokenization (`providers/fill_scores.py`): each fill is tokenized
by the server and forced as a grammar of those token ids, not of its characters."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest

from codex_lsp.providers.base import ProviderError
from codex_lsp.providers.fill_scores import score_against, score_fill_tokens, token_grammar
from codex_lsp.providers.infill import InfillUnsupported


async def summed(client: httpx2.AsyncClient, *args: Any, **kwargs: Any) -> list[float]:
    """Each fill's summed log-probability, as the local provider scores a fix."""
    return [sum(t) for t in await score_fill_tokens(client, *args, **kwargs)]


# A toy tokenizer: "<=" is one token (id 2) as a real BPE would write it; the server's grammar
# answers as long as it is given these ids.
VOCAB = {"if": 1, " <=": 2, " ==": 3, " x": 4, " 0": 5, ":": 6}


def toy_tokens(text: str) -> list[int]:
    ids, rest = [], text
    while rest:
        piece = max((p for p in VOCAB if rest.startswith(p)), key=len)
        ids.append(VOCAB[piece])
        rest = rest[len(piece) :]
    return ids


class Server:
    """/tokenize and /infill of a llama.cpp that honours token-id grammars."""

    def __init__(self, logprobs: dict[int, float], infill_status: int = 200) -> None:
        self.logprobs, self.infill_status = logprobs, infill_status
        self.requests: list[tuple[str, dict[str, Any]]] = []

    def handle(self, request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        self.requests.append((request.url.path, body))
        assert request.headers["Authorization"] == "Bearer k"
        if request.url.path == "/tokenize":
            return httpx2.Response(200, json={"tokens": toy_tokens(body["content"])})
        if self.infill_status != 200:
            return httpx2.Response(self.infill_status, text="infill is not supported")
        ids = [
            int(t) for t in body["grammar"].removeprefix("root ::= ").strip("<[]>").split("]> <[")
        ]
        text = "".join(next(p for p, i in VOCAB.items() if i == t) for t in ids)
        probs = [{"token": "t", "logprob": self.logprobs.get(t, -0.1)} for t in ids]
        probs.append({"token": "", "logprob": -0.5})  # the end of the fill
        return httpx2.Response(200, json={"content": text, "completion_probabilities": probs})


async def score(server: Server, fills: list[str]) -> list[float]:
    async with httpx2.AsyncClient(transport=httpx2.MockTransport(server.handle)) as client:
        return await summed(client, "http://127.0.0.1:9/v1", "p", "s", fills, api_key="k")


def test_the_grammar_lists_the_token_ids_in_order() -> None:
    assert token_grammar([64, 284, 29997]) == "root ::= <[64]> <[284]> <[29997]>"


async def test_each_fill_is_forced_in_the_servers_own_tokens() -> None:
    server = Server({2: -2.0, 3: -0.5})
    scores = await score(server, ["if x <= 0:", "if x == 0:"])
    assert scores == pytest.approx([-0.1 - 0.1 - 2.0 - 0.1 - 0.1 - 0.5, -0.1 * 4 - 0.5 - 0.5])
    paths = [path for path, _ in server.requests]
    assert paths == ["/tokenize", "/infill", "/tokenize", "/infill"]
    infill = server.requests[1][1]
    assert infill["grammar"] == "root ::= <[1]> <[4]> <[2]> <[5]> <[6]>"
    assert infill["n_predict"] == 5 + 2 and infill["input_prefix"] == "p"
    assert server.requests[0][1] == {"content": "if x <= 0:", "add_special": False}


async def test_a_model_without_fill_in_the_middle_says_so() -> None:
    with pytest.raises(InfillUnsupported):
        await score(Server({}, infill_status=501), ["if x == 0:"])


async def test_an_unreachable_server_is_a_retryable_provider_error() -> None:
    def refuse(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("refused", request=request)

    async with httpx2.AsyncClient(transport=httpx2.MockTransport(refuse)) as client:
        with pytest.raises(ProviderError) as raised:
            await summed(client, "http://127.0.0.1:9/v1", "p", "s", ["x"], api_key="k")
    assert raised.value.retryable


async def test_the_local_provider_scores_review_fixes_in_their_own_tokens() -> None:
    from codex_lsp.local.server import LocalEndpoint
    from codex_lsp.providers.base import ProviderConfig
    from codex_lsp.providers.local import LocalProvider
    from codex_lsp.settings import Settings

    provider = LocalProvider(Settings(), ProviderConfig(base_url="", api_key=""))
    server = Server({2: -2.0})
    endpoint = LocalEndpoint("http://127.0.0.1:9/v1", "k")

    async def chat_provider(_: object) -> tuple[LocalEndpoint, None]:
        return endpoint, None

    provider._chat_provider = chat_provider  # type: ignore[method-assign,assignment]
    await provider._http.aclose()
    provider._http = httpx2.AsyncClient(transport=httpx2.MockTransport(server.handle))
    try:
        assert await provider.score_fills("p", "s", ["if x <= 0:"]) == pytest.approx([-2.9])
    finally:
        await provider._http.aclose()
    assert server.requests[1][1]["grammar"] == "root ::= <[1]> <[4]> <[2]> <[5]> <[6]>"


# --- score_against: a line's fills against the written line, stopped once they cannot win ----


class StreamingServer:
    """/tokenize and a streamed /infill: one event per token with its log-probability, the end
    of the fill last; counts the events it got to send before the client closed the stream."""

    def __init__(self, logprobs: dict[int, float]) -> None:
        self.logprobs = logprobs
        self.bodies: list[dict[str, Any]] = []
        self.sent: list[int] = []

    def handle(self, request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        if request.url.path == "/tokenize":
            return httpx2.Response(200, json={"tokens": toy_tokens(body["content"])})
        self.bodies.append(body)
        ids = [
            int(t) for t in body["grammar"].removeprefix("root ::= ").strip("<[]>").split("]> <[")
        ]
        self.sent.append(0)
        index = len(self.sent) - 1

        async def events() -> Any:
            for token in ids:
                self.sent[index] += 1
                piece = next(p for p, i in VOCAB.items() if i == token)
                prob = {"id": token, "token": piece, "logprob": self.logprobs.get(token, -0.1)}
                event = {"content": piece, "stop": False, "completion_probabilities": [prob]}
                yield f"data: {json.dumps(event)}\n\n".encode()
            self.sent[index] += 1
            end = {"id": 0, "token": "", "logprob": -0.5}
            last = {"content": "", "stop": True, "completion_probabilities": [end]}
            yield f"data: {json.dumps(last)}\n\n".encode()

        return httpx2.Response(200, content=events())


async def against(
    server: StreamingServer, written: str, fills: list[str], margin: float, first: bool = False
) -> tuple[float, list[float | None]]:
    async with httpx2.AsyncClient(transport=httpx2.MockTransport(server.handle)) as client:
        return await score_against(
            client, "http://127.0.0.1:9/v1", "p", "s", written, fills, margin,
            api_key="k", slot=2, first=first,
        )  # fmt: skip


async def test_fills_are_scored_like_score_fill_tokens_in_the_pinned_slot() -> None:
    server = StreamingServer({2: -12.0, 3: -0.5})
    base, scores = await against(server, "if x <= 0:", ["if x == 0:"], margin=10.0)
    assert base == pytest.approx(-0.1 * 4 - 12.0 - 0.5)
    assert scores == [pytest.approx(-0.1 * 4 - 0.5 - 0.5)]
    assert all(b["id_slot"] == 2 and b["stream"] and b["n_probs"] == 1 for b in server.bodies)
    assert server.bodies[1]["grammar"] == "root ::= <[1]> <[4]> <[3]> <[5]> <[6]>"


async def test_a_fill_is_stopped_once_it_cannot_beat_the_written_line_by_the_margin() -> None:
    # written: -0.4 - 12 (` <=`) - 0.5 = -12.9; a fill must reach -2.9. ` ==` costs 5: stopped
    # at its third token, the rest never sent.
    server = StreamingServer({2: -12.0, 3: -5.0})
    base, scores = await against(server, "if x <= 0:", ["if x == 0:"], margin=10.0)
    assert base == pytest.approx(-12.9) and scores == [None]
    assert server.sent[1] == 3


async def test_asked_for_the_first_winner_the_fills_after_it_are_not_written() -> None:
    # written -12.9; at the margin -2 a second ` <=` loses, ` ==` and `if x:` win
    server = StreamingServer({2: -12.0, 3: -5.0})
    fills = ["if x <= 0 <= 0:", "if x == 0:", "if x:"]
    every = await against(server, "if x <= 0:", fills, margin=-2.0)
    assert every[1] == [None, pytest.approx(-5.9), pytest.approx(-0.8)]
    asked = len(server.bodies)
    base, scores = await against(server, "if x <= 0:", fills, margin=-2.0, first=True)
    assert base == every[0] and scores == [every[1][0], every[1][1], None]
    assert len(server.bodies) - asked == 3  # the written line, then up to the first winner


async def test_no_fill_is_asked_when_the_written_line_is_likely_enough() -> None:
    server = StreamingServer({2: -1.0})
    base, scores = await against(server, "if x <= 0:", ["if x == 0:", "if x:"], margin=10.0)
    assert base == pytest.approx(-0.4 - 1.0 - 0.5) and scores == [None, None]
    assert len(server.bodies) == 1


async def test_a_stream_that_writes_another_fill_is_an_error() -> None:
    def wrong(request: httpx2.Request) -> httpx2.Response:
        if request.url.path == "/tokenize":
            return httpx2.Response(200, json={"tokens": [1]})
        event = {"content": "else", "stop": True, "completion_probabilities": [{"logprob": -1}]}
        return httpx2.Response(200, content=f"data: {json.dumps(event)}\n\n".encode())

    async with httpx2.AsyncClient(transport=httpx2.MockTransport(wrong)) as client:
        with pytest.raises(ProviderError):
            await score_against(client, "http://h/v1", "p", "s", "if", [], 10.0, api_key="k")


def test_the_local_provider_scans_with_the_small_model_in_a_third_slot() -> None:
    from codex_lsp.providers.base import ProviderConfig
    from codex_lsp.providers.local import SCAN_MODEL, LocalProvider
    from codex_lsp.settings import Settings

    config = ProviderConfig(base_url="", api_key="")
    provider = LocalProvider(Settings(local_model=SCAN_MODEL), config)
    assert provider._scan_server is provider._server
    assert (provider._server.parallel, provider._server.ctx) == (3, 3 * 4096)
    own = LocalProvider(Settings(local_model_path="/models/mine.gguf"), config)
    assert own._scan_server is None  # a model the scan's margin was not measured with
    assert own._server.parallel == 2


async def test_the_local_provider_scores_a_scan_in_its_slot() -> None:
    from codex_lsp.local.server import LocalEndpoint
    from codex_lsp.providers.base import ProviderConfig
    from codex_lsp.providers.local import SCAN_SLOT, LocalProvider
    from codex_lsp.settings import Settings

    provider = LocalProvider(Settings(), ProviderConfig(base_url="", api_key=""))
    server = StreamingServer({2: -12.0})

    async def chat_provider(_: object) -> tuple[LocalEndpoint, None]:
        return LocalEndpoint("http://127.0.0.1:9/v1", "k"), None

    provider._chat_provider = chat_provider  # type: ignore[method-assign,assignment]
    await provider._http.aclose()
    provider._http = httpx2.AsyncClient(transport=httpx2.MockTransport(server.handle))
    try:
        scored = await provider.score_against("p", "s", "if x <= 0:", ["if x == 0:"], 10.0)
    finally:
        await provider._http.aclose()
    assert scored == (pytest.approx(-12.9), [pytest.approx(-1.0)])
    assert [b["id_slot"] for b in server.bodies] == [SCAN_SLOT, SCAN_SLOT]
    provider._scan_server = None
    assert await provider.score_against("p", "s", "x", ["y"], 10.0) is None


async def test_a_scan_line_waits_until_the_user_has_not_typed_for_a_while(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import time

    from codex_lsp.local.server import LocalEndpoint
    from codex_lsp.providers import local
    from codex_lsp.providers.base import Infill, ProviderConfig
    from codex_lsp.settings import Settings

    monkeypatch.setattr(local, "SCAN_QUIET_S", 0.3)
    provider = local.LocalProvider(Settings(), ProviderConfig(base_url="", api_key=""))
    server = StreamingServer({2: -12.0})

    async def chat_provider(_: object) -> tuple[LocalEndpoint, None]:
        return LocalEndpoint("http://127.0.0.1:9/v1", "k"), None

    provider._chat_provider = chat_provider  # type: ignore[method-assign,assignment]
    monkeypatch.setattr(provider.lane, "warm", lambda *_, **__: None)
    await provider._http.aclose()
    provider._http = httpx2.AsyncClient(transport=httpx2.MockTransport(server.handle))
    try:
        started = time.monotonic()
        await provider.score_against("p", "s", "if x <= 0:", ["if x == 0:"], 10.0)
        idle = time.monotonic() - started  # nobody typed: no wait
        provider.warm(Infill("def f():\n    ", "", 0))  # the user types
        started = time.monotonic()
        await provider.score_against("p", "s2", "if x <= 0:", ["if x == 0:"], 10.0)
        after_typing = time.monotonic() - started
    finally:
        await provider._http.aclose()
    assert idle < 0.2  # nobody typed: the scan went at once
    assert after_typing >= 0.28  # it waited out the quiet time after the keystroke


async def test_a_line_scanned_before_is_not_asked_again() -> None:
    from codex_lsp.local.server import LocalEndpoint
    from codex_lsp.providers.base import ProviderConfig
    from codex_lsp.providers.local import LocalProvider
    from codex_lsp.settings import Settings

    provider = LocalProvider(Settings(), ProviderConfig(base_url="", api_key=""))
    server = StreamingServer({2: -12.0})

    async def chat_provider(_: object) -> tuple[LocalEndpoint, None]:
        return LocalEndpoint("http://127.0.0.1:9/v1", "k"), None

    provider._chat_provider = chat_provider  # type: ignore[method-assign,assignment]
    await provider._http.aclose()
    provider._http = httpx2.AsyncClient(transport=httpx2.MockTransport(server.handle))
    try:
        first = await provider.score_against("p", "s", "if x <= 0:", ["if x == 0:"], 10.0)
        asked = len(server.bodies)
        again = await provider.score_against("p", "s", "if x <= 0:", ["if x == 0:"], 10.0)
        assert (again, len(server.bodies)) == (first, asked)  # the same question: no request
        await provider.score_against("p", "s2", "if x <= 0:", ["if x == 0:"], 10.0)
        assert len(server.bodies) > asked  # another suffix is another question
    finally:
        await provider._http.aclose()


def test_the_second_opinion_is_the_other_child_when_it_serves_the_1_5b() -> None:
    from codex_lsp.providers.base import ProviderConfig
    from codex_lsp.providers.local import SCAN_MODEL, SECOND_OPINION_MODEL, LocalProvider
    from codex_lsp.settings import Settings

    config = ProviderConfig(base_url="", api_key="")
    usual = LocalProvider(
        Settings(local_model=SCAN_MODEL, local_review_model=SECOND_OPINION_MODEL), config
    )
    assert usual.has_second_opinion() and usual._second_server is usual._review_server
    assert usual._scan_server is usual._server
    swapped = LocalProvider(
        Settings(local_model=SECOND_OPINION_MODEL, local_review_model=SCAN_MODEL), config
    )
    assert swapped._second_server is swapped._server  # the 1.5B completes; the 0.5B scans
    lite = LocalProvider(Settings(local_model=SCAN_MODEL, local_review_model=SCAN_MODEL), config)
    assert not lite.has_second_opinion()  # one model: the scan margin alone
    no_scan = LocalProvider(
        Settings(local_model=SECOND_OPINION_MODEL, local_review_model=SECOND_OPINION_MODEL),
        config,
    )
    assert not no_scan.has_second_opinion()  # nothing scans, so nothing to confirm


async def test_the_second_opinion_is_each_fills_gain_by_the_1_5b_and_is_kept() -> None:
    from codex_lsp.local.server import LocalEndpoint
    from codex_lsp.providers.base import ProviderConfig
    from codex_lsp.providers.local import SCAN_MODEL, SECOND_OPINION_MODEL, LocalProvider
    from codex_lsp.settings import Settings

    settings = Settings(local_model=SCAN_MODEL, local_review_model=SECOND_OPINION_MODEL)
    provider = LocalProvider(settings, ProviderConfig(base_url="", api_key=""))
    server = Server({2: -6.0, 3: -0.5})
    asked: list[object] = []

    async def chat_provider(child: object) -> tuple[LocalEndpoint, None]:
        asked.append(child)
        return LocalEndpoint("http://127.0.0.1:9/v1", "k"), None

    provider._chat_provider = chat_provider  # type: ignore[method-assign,assignment]
    await provider._http.aclose()
    provider._http = httpx2.AsyncClient(transport=httpx2.MockTransport(server.handle))
    try:
        gains = await provider.second_gains("p", "s", "if x <= 0:", ["if x == 0:"])
        requests = len(server.requests)
        again = await provider.second_gains("p", "s", "if x <= 0:", ["if x == 0:"])
    finally:
        await provider._http.aclose()
    # written: 4 tokens at -0.1, "<=" at -6, the end -0.5; the fix: "==" at -0.5
    assert gains == pytest.approx([(-0.4 - 0.5 - 0.5) - (-0.4 - 6.0 - 0.5)])
    assert again == gains and len(server.requests) == requests  # asked once
    assert asked == [provider._review_server]  # the 1.5B's child, not the scanning one
