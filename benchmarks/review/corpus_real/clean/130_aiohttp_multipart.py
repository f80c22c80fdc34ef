from typing import Union
from multidict import CIMultiDictProxy
from .hdrs import CONTENT_TYPE
from .helpers import parse_mimetype


class MultipartReader:
    def _get_part_reader(
        self,
        headers: "CIMultiDictProxy[str]",
    ) -> Union["MultipartReader", BodyPartReader]:
        """Dispatches the response by the `Content-Type` header.

        Returns a suitable reader instance.

        :param dict headers: Response headers
        """
        ctype = headers.get(CONTENT_TYPE, "")
        mimetype = parse_mimetype(ctype)

        if mimetype.type == "multipart":
            if self.multipart_reader_cls is None:
                return type(self)(
                    headers,
                    self._content,
                    client_max_size=self._client_max_size,
                    max_field_size=self._max_field_size,
                    max_headers=self._max_headers,
                    max_size_error_cls=self._max_size_error_cls,
                )
            return self.multipart_reader_cls(
                headers,
                self._content,
                client_max_size=self._client_max_size,
                max_field_size=self._max_field_size,
                max_headers=self._max_headers,
                max_size_error_cls=self._max_size_error_cls,
            )
        else:
            return self.part_reader_cls(
                self._boundary,
                headers,
                self._content,
                subtype=self._mimetype.subtype,
                default_charset=self._default_charset,
                client_max_size=self._client_max_size,
                max_size_error_cls=self._max_size_error_cls,
            )
