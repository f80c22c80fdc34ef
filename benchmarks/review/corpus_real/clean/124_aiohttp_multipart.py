import base64
from .hdrs import CONTENT_TRANSFER_ENCODING


class BodyPartReader:
    def __aiter__(self: Self) -> Self:
        return self

    async def __anext__(self) -> bytes:
        part = await self.next()
        if part is None:
            raise StopAsyncIteration
        return part

    async def next(self) -> bytes | None:
        item = await self.read()
        if not item:
            return None
        return item

    async def read(self, *, decode: bool = False) -> bytes:
        """Reads body part data.

        decode: Decodes data following by encoding
                method from Content-Encoding header. If it missed
                data remains untouched
        """
        if self._at_eof:
            return b""
        data = bytearray()
        while not self._at_eof:
            data.extend(await self.read_chunk(self.chunk_size))
            if len(data) > self._client_max_size:
                raise self._max_size_error_cls(self._client_max_size)
        if decode:
            decoded_data = bytearray()
            async for d in self.decode_iter(data):
                decoded_data.extend(d)
                if len(decoded_data) > self._client_max_size:
                    raise self._max_size_error_cls(self._client_max_size)
            return decoded_data
        return data

    async def read_chunk(self, size: int = chunk_size) -> bytes:
        """Reads body part content chunk of the specified size.

        size: chunk size
        """
        if self._at_eof:
            return b""
        carry = self._b64_carry
        want = size - len(carry)
        if carry:
            self._b64_carry = b""
            want = max(want, self._boundary_len)
        if self._length is not None:
            fresh = await self._read_chunk_from_length(want)
        else:
            fresh = await self._read_chunk_from_stream(want)
        chunk = carry + fresh
        self._read_bytes += len(fresh)

        # base64 decodes in quartets and every chunk is decoded on its own, so
        # a chunk should not end mid-quartet.
        encoding = self.headers.get(CONTENT_TRANSFER_ENCODING)
        if encoding and encoding.lower() == "base64":
            chunk = self._align_base64_chunk(chunk, len(carry) + want)

        if self._read_bytes == self._length:
            self._at_eof = True
        if self._at_eof and await self._content.readline() != b"\r\n":
            raise ValueError("Reader did not read all the data or it is malformed")
        return chunk
