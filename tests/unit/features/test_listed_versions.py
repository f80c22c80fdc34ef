"""The texts code actions keep to move an action's range to the current version: only listed
versions, the newest as the string itself, older ones as lines shared between versions."""

from __future__ import annotations

from codex_lsp.features.code_actions import KEPT_VERSIONS, ListedVersions

BASE = [f"line {n} = {n}" for n in range(20)]


def version_text(version: int) -> str:
    """BASE with line 10 changed in each version, as typing there would."""
    lines = [*BASE]
    lines[10] = f"line 10 = {version}"
    return "\n".join(lines)


def test_the_newest_is_the_string_itself_and_older_ones_read_back_equal() -> None:
    kept = ListedVersions()
    texts = {version: version_text(version) for version in (1, 2, 3)}
    for version, text in texts.items():
        kept.remember(version, text)
    assert kept.text(3) is texts[3]
    assert [kept.text(version) for version in (1, 2)] == [texts[1], texts[2]]


def test_older_versions_share_their_unchanged_line_objects() -> None:
    kept = ListedVersions()
    for version in (1, 2, 3):
        kept.remember(version, version_text(version))
    first, second = kept._kept[1], kept._kept[2]  # lines now, the newest (3) is still text
    assert isinstance(first, tuple) and isinstance(second, tuple)
    assert all(
        a is b for a, b in zip(first[:10] + first[11:], second[:10] + second[11:], strict=True)
    )
    assert first[10] == "line 10 = 1" and second[10] == "line 10 = 2"


def test_line_breaks_read_back_as_in_a_snapshot() -> None:
    kept = ListedVersions()
    kept.remember(1, "a\r\nb\rc\n")
    kept.remember(2, "a\n")
    assert kept.text(1) == "a\nb\nc\n"


def test_only_the_last_versions_are_kept_and_a_relisted_one_is_not_stored_again() -> None:
    kept = ListedVersions()
    for version in range(1, KEPT_VERSIONS + 2):
        kept.remember(version, version_text(version))
        kept.remember(version, "listed again: the version's text cannot have changed")
    assert kept.text(1) is None
    assert kept.text(2) == version_text(2)
    assert kept.text(KEPT_VERSIONS + 1) == version_text(KEPT_VERSIONS + 1)
    assert kept.text(KEPT_VERSIONS + 2) is None
