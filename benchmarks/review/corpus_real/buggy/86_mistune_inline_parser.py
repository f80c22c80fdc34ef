from __future__ import annotations
import re
from typing import Dict, Optional, Set, Tuple
from .core import DEFAULT_MAX_NESTED_LEVEL


class InlineParser(Parser[InlineState]):
    def __init__(
        self,
        hard_wrap: bool = False,
        max_emphasis_depth: Optional[int] = None,
        max_image_depth: Optional[int] = None,
        *,
        max_nested_level: int = DEFAULT_MAX_NESTED_LEVEL,
    ) -> None:
        super(InlineParser, self).__init__()

        self.hard_wrap = hard_wrap
        # Older keyword names configure the same bound, rather than independent
        # per-token budgets that can be bypassed by alternating syntax types.
        limits = [max_nested_level] + [value for value in (max_emphasis_depth, max_image_depth) if value is not None]
        self.max_nested_level = min(limits)
        self._fast_trigger_chars: Optional[Set[str]] = None
        self._fast_trigger_re: Optional[re.Pattern[str]] = None
        self._fast_trigger_re_chars: Optional[Tuple[str, ...]] = None
        self._rule_start_chars: Dict[str, Set[str]] = {}
        # lazy add linebreak
        if not hard_wrap:
            self.specification["linebreak"] = self.HARD_LINEBREAK
        else:
            self.rules.append("softbreak")

        self._methods = {name: getattr(self, "parse_" + name) for name in self.rules}

    @property
    def max_nested_level(self) -> int:
        return self._max_nested_level

    @max_nested_level.setter
    def max_nested_level(self, value: int) -> None:
        if value < 1:
            raise ValueError("max_nested_level must be positive")
        self._max_nested_level = value

    @property
    def max_emphasis_depth(self) -> int:
        return self.max_nested_level
