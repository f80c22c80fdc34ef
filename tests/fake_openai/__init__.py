"""A fake OpenAI server for tests and benchmarks.

A real HTTP server on 127.0.0.1 that speaks OpenAI's wire format (Responses and Chat
Completions, streamed or not, models), with scripted answers, injected faults, request
records and a prompt-cache simulation. See README.md in this folder.
"""

from .caching import CacheOutcome, PromptCache
from .records import RequestRecord
from .script import NO_JSON, Answer, Fault, FaultKind, Responder, default_responder
from .server import FakeOpenAI
from .tokens import Tokenizer, approx_tokenize, count_tokens

__all__ = [
    "NO_JSON",
    "Answer",
    "CacheOutcome",
    "FakeOpenAI",
    "Fault",
    "FaultKind",
    "PromptCache",
    "RequestRecord",
    "Responder",
    "Tokenizer",
    "approx_tokenize",
    "count_tokens",
    "default_responder",
]
