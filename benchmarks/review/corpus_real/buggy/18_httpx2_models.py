from __future__ import annotations
from collections.abc import Iterable
from ._content import ByteStream
from ._exceptions import RequestNotRead
from ._urls import host_header


class Request:
    def _prepare(self, default_headers: dict[str, str]) -> None:
        for key, value in default_headers.items():
            # Ignore Content-Length if Transfer-Encoding has been set explicitly.
            if key.lower() == "content-length" or "Transfer-Encoding" in self.headers:
                continue
            # Ignore Transfer-Encoding if Content-Length has been set explicitly.
            if key.lower() == "transfer-encoding" and "Content-Length" in self.headers:
                continue
            self.headers.setdefault(key, value)

        auto_headers: list[tuple[bytes, bytes]] = []

        has_host = "Host" in self.headers
        has_content_length = "Content-Length" in self.headers or "Transfer-Encoding" in self.headers

        if not has_host and self.url.host:
            auto_headers.append((b"Host", host_header(self.url)))
        if not has_content_length and self.method in ("POST", "PUT", "PATCH", "QUERY"):
            auto_headers.append((b"Content-Length", b"0"))

        self.headers = Headers(auto_headers + self.headers.raw)

    @property
    def content(self) -> bytes:
        if not hasattr(self, "_content"):
            raise RequestNotRead()
        return self._content

    def read(self) -> bytes:
        """
        Read and return the request content.
        """
        if not hasattr(self, "_content"):
            assert isinstance(self.stream, Iterable)
            self._content = b"".join(self.stream)
            if not isinstance(self.stream, ByteStream):
                # If a streaming request has been read entirely into memory, then
                # we can replace the stream with a raw bytes implementation,
                # to ensure that any non-replayable streams can still be used.
                self.stream = ByteStream(self._content)
        return self._content
