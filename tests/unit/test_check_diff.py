"""`codex-lsp check --diff REV`: which lines changed since a revision, which files that makes to
review, and which findings are kept (only those on added or replaced lines)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from codex_lsp import check
from codex_lsp.diff_lines import Changes, DiffError, FileChange, changed_lines, parse_diff
from codex_lsp.engine.assistant import Assistant
from codex_lsp.engine.calls import ModelCaller
from codex_lsp.engine.context import Position, Span
from codex_lsp.engine.review import ReviewFinding
from codex_lsp.providers.base import TextDelta, Usage
from codex_lsp.settings import Settings
from tests.unit.fakes import FakeProvider

# --- parsing `git diff --unified=0` ---------------------------------------------------------

ADDED_AND_REPLACED = """\
diff --git a/stock.py b/stock.py
index 1c943a9..985cad8 100644
--- a/stock.py
+++ b/stock.py
@@ -2 +2 @@ def is_even(n):
-    return n % 2 == 1
+    return n % 2 == 0
@@ -6,0 +7,2 @@ def restock(stock, amount):
+    if amount < 0:
+        raise ValueError(amount)
"""
PURE_DELETION = """\
diff --git a/stock.py b/stock.py
index 1c943a9..985cad8 100644
--- a/stock.py
+++ b/stock.py
@@ -3,2 +2,0 @@ def is_even(n):
-
-
"""
RENAMED_AND_EDITED = """\
diff --git a/old.py b/new.py
similarity index 62%
rename from old.py
rename to new.py
index f384549..02b5054 100644
--- a/old.py
+++ b/new.py
@@ -2 +2 @@ one
-two
+TWO
@@ -4,0 +5 @@ four
+five
"""
RENAMED_ONLY = """\
diff --git a/old.py b/new.py
similarity index 100%
rename from old.py
rename to new.py
"""
NO_NEWLINE_AT_END = """\
diff --git a/sp ace.py b/sp ace.py
index 1c943a9..985cad8 100644
--- a/sp ace.py\t
+++ b/sp ace.py\t
@@ -3 +3 @@ b
-c
\\ No newline at end of file
+++ c
\\ No newline at end of file
"""
DELETED_BINARY_AND_QUOTED = """\
diff --git a/b.bin b/b.bin
index 88768ef..3e3315e 100644
Binary files a/b.bin and b/b.bin differ
diff --git a/q.py b/q.py
deleted file mode 100644
index 587be6b..0000000
--- a/q.py
+++ /dev/null
@@ -1 +0,0 @@
-x
diff --git "a/\\303\\251t\\303\\251.py" "b/\\303\\251t\\303\\251.py"
new file mode 100644
index 0000000..c600332
--- /dev/null
+++ "b/\\303\\251t\\303\\251.py"
@@ -0,0 +1,2 @@
+a = 1
+b = "\\t"
"""
CODE_THAT_LOOKS_LIKE_HEADERS = """\
diff --git a/notes.md b/notes.md
index 1111111..2222222 100644
--- a/notes.md
+++ b/notes.md
@@ -1,2 +1,3 @@
--- a/x.py
-diff --git a/x.py b/x.py
++++ b/y.py
+@@ -9 +9 @@
+diff --git a/z.py b/z.py
"""


@pytest.mark.parametrize(
    ("diff", "expected"),
    [
        (ADDED_AND_REPLACED, [FileChange("stock.py", "stock.py", {2, 7, 8})]),
        (PURE_DELETION, [FileChange("stock.py", "stock.py", set())]),
        (RENAMED_AND_EDITED, [FileChange("new.py", "old.py", {2, 5})]),
        (RENAMED_ONLY, [FileChange("new.py", "old.py", set())]),
        (NO_NEWLINE_AT_END, [FileChange("sp ace.py", "sp ace.py", {3})]),
        (
            DELETED_BINARY_AND_QUOTED,
            [
                FileChange("b.bin", None, set(), binary=True),
                FileChange(None, "q.py", set()),
                FileChange("été.py", None, {1, 2}),
            ],
        ),
        (CODE_THAT_LOOKS_LIKE_HEADERS, [FileChange("notes.md", "notes.md", {1, 2, 3})]),
        ("", []),
    ],
    ids=[
        "added-and-replaced-in-two-hunks",
        "pure-deletion-adds-no-line",
        "renamed-and-edited",
        "renamed-only",
        "no-newline-at-end-of-file",
        "binary-deleted-and-quoted-names",
        "code-that-looks-like-headers",
        "empty",
    ],
)
def test_parse_diff(diff: str, expected: list[FileChange]) -> None:
    assert parse_diff(diff) == expected


# --- git itself ------------------------------------------------------------------------------


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository whose first commit has stock.py, old.py, gone.py, moved.py and data.bin."""
    for name, value in {
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.invalid",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.invalid",
    }.items():
        monkeypatch.setenv(name, value)
    root = (tmp_path / "repo").resolve()
    root.mkdir()
    git(root, "init", "-q")
    (root / "stock.py").write_text("a = 1\nb = 2\nc = 3\nd = 4\ne = 5\n")
    (root / "old.py").write_text("one\ntwo\nthree\nfour\n")
    (root / "gone.py").write_text("x = 1\n")
    (root / "moved.py").write_text("y = 1\n")
    (root / "data.bin").write_bytes(b"\x00\x01binary")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "first")
    return root


def change_everything(root: Path) -> None:
    (root / "stock.py").write_text("a = 1\nB = 2\nc = 3\nd = 4\ne = 5\nf = 6\n")
    git(root, "mv", "old.py", "new.py")
    (root / "new.py").write_text("one\nTWO\nthree\nfour\n")
    git(root, "mv", "moved.py", "renamed.py")
    (root / "gone.py").unlink()
    (root / "data.bin").write_bytes(b"\x00\x02binary")
    (root / "added.py").write_text("z = 1\nw = 2\n")
    git(root, "add", "added.py")
    (root / "untracked.py").write_text("u = 1\n")


def test_changed_lines_of_edited_renamed_and_added_files(repo: Path) -> None:
    change_everything(repo)

    changes = changed_lines("HEAD", [repo])

    assert changes == Changes(
        repo,
        {
            repo / "added.py": frozenset({1, 2}),
            repo / "new.py": frozenset({2}),
            repo / "stock.py": frozenset({2, 6}),
        },
    )


def test_the_users_diff_settings_change_nothing(repo: Path) -> None:
    change_everything(repo)
    for key, value in [
        ("diff.noprefix", "true"),
        ("diff.renames", "false"),
        ("color.ui", "always"),
        ("diff.external", "false"),
        ("core.quotePath", "false"),
    ]:
        git(repo, "config", key, value)

    assert changed_lines("HEAD", [repo]).files == {
        repo / "added.py": frozenset({1, 2}),
        repo / "new.py": frozenset({2}),
        repo / "stock.py": frozenset({2, 6}),
    }


def test_only_the_paths_given_are_diffed(repo: Path) -> None:
    change_everything(repo)
    (repo / "src").mkdir()
    (repo / "src" / "in.py").write_text("s = 1\n")
    git(repo, "add", "src")

    changes = changed_lines("HEAD", [repo / "src", repo / "stock.py"])

    assert changes.files == {
        repo / "src" / "in.py": frozenset({1}),
        repo / "stock.py": frozenset({2, 6}),
    }


def test_outside_a_repository(tmp_path: Path) -> None:
    alone = tmp_path / "alone"
    alone.mkdir()
    with pytest.raises(DiffError, match=r"^--diff needs a git repository: .*alone: not a git"):
        changed_lines("HEAD", [alone])


def test_without_git(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(repo / "no-such-folder"))
    with pytest.raises(DiffError, match=r"^--diff needs git, which could not be run: "):
        changed_lines("HEAD", [repo])


def test_a_repositorys_own_git_never_runs(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With an empty entry in PATH, `git` run in the repository was looked up there: a cloned
    executable `git` ran instead of git (clone keeps the mode)."""
    import shutil

    real = shutil.which("git")
    assert real is not None
    marker = repo.parent / "ran"
    (repo / "git").write_text(f"#!/bin/sh\ntouch {marker}\nexit 0\n")
    (repo / "git").chmod(0o755)
    monkeypatch.setenv("PATH", os.pathsep.join(["", os.path.dirname(real)]))
    monkeypatch.chdir(repo)
    changed_lines("HEAD", [repo])
    assert not marker.exists()


def test_the_repositorys_fsmonitor_never_runs(repo: Path) -> None:
    marker = repo.parent / "ran"
    subprocess.run(
        ["git", "config", "core.fsmonitor", f"touch {marker}; false"], cwd=repo, check=True
    )
    changed_lines("HEAD", [repo])
    assert not marker.exists()


def test_an_unknown_revision(repo: Path) -> None:
    with pytest.raises(DiffError) as raised:
        changed_lines("no-such-branch", [repo])
    assert str(raised.value) == "--diff no-such-branch: bad revision 'no-such-branch'"


@pytest.mark.parametrize("rev", ["main..HEAD", "origin/main...HEAD", "--output=/tmp/x"])
def test_a_range_or_an_option_is_refused(repo: Path, rev: str) -> None:
    with pytest.raises(DiffError, match=r"^--diff takes one revision"):
        changed_lines(rev, [repo])


def test_a_path_outside_the_repository(repo: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.py"
    elsewhere.write_text("x = 1\n")
    with pytest.raises(DiffError, match=r"elsewhere\.py: outside the git repository at "):
        changed_lines("HEAD", [repo / "stock.py", elsewhere])


# --- which files a check reviews ------------------------------------------------------------


def diff_args(*paths: Path) -> argparse.Namespace:
    return argparse.Namespace(paths=list(paths), diff="HEAD")


def test_select_reviews_changed_source_files_under_the_paths(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo)
    change_everything(repo)
    for name in ["notes.txt", "build/gen.py", ".env", "given.txt"]:
        (repo / name).parent.mkdir(exist_ok=True)
        (repo / name).write_text("k = 1\n")
    (repo / "link.py").symlink_to("stock.py")
    git(repo, "add", ".")

    folder = check.select(diff_args(), Settings().excluded_globs())
    named = check.select(diff_args(Path("given.txt")), Settings().excluded_globs())

    assert folder == check.Selection(
        [
            check.Target(Path("added.py"), frozenset({1, 2})),
            check.Target(Path("new.py"), frozenset({2})),
            check.Target(Path("stock.py"), frozenset({2, 6})),
            # untracked.py was added above: a file is part of a diff once git knows it
            check.Target(Path("untracked.py"), frozenset({1})),
        ],
        repo,
    )
    assert named == check.Selection([check.Target(Path("given.txt"), frozenset({1}))], repo)


def test_untracked_files_are_not_reviewed(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    (repo / "untracked.py").write_text("u = 1\n")

    assert check.select(diff_args(), []) == check.Selection([], repo)


def test_without_diff_a_path_is_needed() -> None:
    with pytest.raises(check.UsageError, match="--diff REV"):
        check.select(argparse.Namespace(paths=[], diff=None), [])


def test_a_walk_skips_only_folders_inside_the_one_given(tmp_path: Path) -> None:
    project = tmp_path / "build" / "project"  # a project may live in a folder named build
    (project / "node_modules").mkdir(parents=True)
    (project / "main.py").write_text("x = 1\n")
    (project / "node_modules" / "dep.js").write_text("x = 1\n")

    assert check.source_files([project], []) == [project / "main.py"]


def test_a_walk_skips_links_to_files_outside_the_folder(tmp_path: Path) -> None:
    """A cloned repository's `notes.py -> ~/.bash_history` must not send the user's file to
    the model, nor have `--fix` write to it; a link inside the folder, and a file named on the
    command line, are reviewed."""
    home = tmp_path / "home"
    home.mkdir()
    (home / ".bash_history").write_text("mysql -u root -phunter2\n")
    project = tmp_path / "project"
    (project / "sub").mkdir(parents=True)
    (project / "main.py").write_text("x = 1\n")
    (project / "notes.py").symlink_to(home / ".bash_history")
    (project / "sub" / "main_link.py").symlink_to(project / "main.py")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "lib.py").write_text("y = 2\n")
    (project / "vendored").symlink_to(tmp_path / "outside")

    assert check.source_files([project], []) == [
        project / "main.py",
        project / "sub" / "main_link.py",
    ]
    assert check.source_files([project / "notes.py"], []) == [project / "notes.py"]


# --- which findings are kept ----------------------------------------------------------------

TEXT = """def is_even(n):
    return n % 2 == 1


def restock(stock, amount):
    return stock - amount
"""
FINDINGS = {
    "findings": [
        {
            "line": 2,
            "snippet": "n % 2 == 1",
            "severity": "error",
            "code": "inverted-condition",
            "message": "is_even returns True for odd numbers.",
        },
        {
            "line": 6,
            "snippet": "stock - amount",
            "severity": "warning",
            "code": "wrong-sign",
            "message": "Restocking subtracts.",
        },
    ]
}


def review(path: Path, changed: frozenset[int] | None) -> tuple[list[str], FakeProvider]:
    provider = FakeProvider(
        {"gpt-5.4-mini": [TextDelta(json.dumps(FINDINGS)), Usage(10, 0, 0, 10)]}
    )
    settings = Settings(model="gpt-5.4-mini")
    caller = ModelCaller(
        provider, ["gpt-5.4-mini"], notify=lambda _k, _l, text: print(text, file=sys.stderr)
    )
    shown: list[str] = []
    result = asyncio.run(
        check.review_file(
            Assistant(caller, settings),
            check.Target(path, changed),
            lambda _path, finding: shown.append(finding.code),
        )
    )
    assert [finding.code for finding in result.findings] == shown
    return shown, provider


@pytest.mark.parametrize(
    ("changed", "kept"),
    [
        (None, ["inverted-condition", "wrong-sign"]),
        (frozenset({6}), ["wrong-sign"]),
        (frozenset({1, 3, 4, 5}), []),
        (frozenset(), []),
    ],
    ids=["no-diff-keeps-all", "a-changed-line", "lines-around-a-finding", "only-deletions"],
)
def test_only_findings_on_changed_lines_are_kept(
    tmp_path: Path, changed: frozenset[int] | None, kept: list[str]
) -> None:
    path = tmp_path / "stock.py"
    path.write_text(TEXT)

    shown, provider = review(path, changed)

    assert shown == kept
    assert "n % 2 == 1" in provider.requests[0].prompt_text()  # the model reads the whole file


@pytest.mark.parametrize(
    ("text", "changed", "lines"),
    [
        ("a\nb\nc\n", {2}, {1}),
        ("a\r\nb\r\nc\r\n", {2, 3}, {1, 2}),
        ("a\rb\nc\n", {1}, {0, 1}),  # a lone \r ends a line for the editor, not for git
        ("a\rb\nc\n", {2}, {2}),
        ("a\r\r\nb\n", {2}, {2}),
    ],
    ids=["lf", "crlf", "lone-cr-in-a-changed-line", "lone-cr-before-it", "cr-before-crlf"],
)
def test_git_lines_as_snapshot_lines(text: str, changed: set[int], lines: set[int]) -> None:
    assert check.snapshot_lines(text, frozenset(changed)) == lines


def test_a_finding_over_several_lines_is_kept_when_one_of_them_changed() -> None:
    span = Span(Position(2, 4), Position(4, 1))
    finding = ReviewFinding(span, "error", "x", "y")
    assert check._touches(finding, frozenset({4}))
    assert not check._touches(finding, frozenset({1, 5}))
