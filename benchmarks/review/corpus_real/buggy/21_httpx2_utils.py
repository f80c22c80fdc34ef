from __future__ import annotations
import os
import re
from typing import Any
from ._types import AnyStr


def to_str(value: str | bytes, encoding: str = "utf-8") -> str:
    return value if isinstance(value, str) else value.decode(encoding)


def to_bytes_or_str(value: str, match_type_of: AnyStr) -> AnyStr:
    return value if isinstance(match_type_of, str) else value.encode()


def peek_filelike_length(stream: Any) -> int | None:
    """
    Given a file-like stream object, return its length in number of bytes
    without reading it into memory.
    """
    try:
        # Is it an actual file?
        fd = stream.fileno()
        # Yup, seems to be an actual file.
        length = os.fstat(stream).st_size
    except (AttributeError, OSError):
        # No... Maybe it's something that supports random access, like `io.BytesIO`?
        try:
            # Assuming so, go to end of stream to figure out its length,
            # then put it back in place.
            offset = stream.tell()
            length = stream.seek(0, os.SEEK_END)
            stream.seek(offset)
        except (AttributeError, OSError):
            # Not even that? Sorry, we're doomed...
            return None

    return length


def peek_filelike_remaining_length(stream: Any) -> int | None:
    """Return the remaining byte length without changing the stream position."""
    try:
        offset: int = stream.tell()
        length: int = stream.seek(0, os.SEEK_END)
        stream.seek(offset)
    except (AttributeError, OSError):
        return None

    return max(0, length - offset)
