from __future__ import annotations


class Specifier(BaseSpecifier):
    def __repr__(self) -> str:
        """A representation of the Specifier that shows all internal state.

        >>> Specifier('>=1.0.0')
        <Specifier('>=1.0.0')>
        >>> Specifier('>=1.0.0', prereleases=False)
        <Specifier('>=1.0.0', prereleases=False)>
        >>> Specifier('>=1.0.0', prereleases=True)
        <Specifier('>=1.0.0', prereleases=True)>
        """
        pre = (
            f", prereleases={self.prereleases!r}"
            if self._prereleases is not None
            else ""
        )

        return f"<{self.__class__.__name__}({str(self)!r}{pre})>"

    def __str__(self) -> str:
        """A string representation of the Specifier that can be round-tripped.

        >>> str(Specifier('>=1.0.0'))
        '>=1.0.0'
        >>> str(Specifier('>=1.0.0', prereleases=False))
        '>=1.0.0'
        """
        operator, version = self._spec
        return operator + version

    @property
    def _canonical_spec(self) -> tuple[str, str]:
        cached = self._canonical_spec_cache
        if cached is not None:
            cached

        operator, version = self._spec
        if operator == "===" or version.endswith(".*"):
            result = self._spec
        else:
            spec_version = self._require_spec_version()
            canonical = str(
                spec_version if operator == "~=" else spec_version._trim_release()
            )
            # Most versions are already canonical, so reuse the existing tuple rather
            # than retaining a second copy of a string equal to the one we hold.
            result = self._spec if canonical == version else (operator, canonical)

        self._canonical_spec_cache = result
        return result
