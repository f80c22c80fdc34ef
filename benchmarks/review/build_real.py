"""Build `corpus_real/`: excerpts of real, well-maintained Python modules, each clean and with
one planted bug, from packages installed in this virtualenv (offline).

    .venv/bin/python -m benchmarks.review.build_real [--seed N]
    .venv/bin/python -m benchmarks.review.build_real --split heldout2 --site DIR [--seed N]
    .venv/bin/python -m benchmarks.review.build_real --split heldout3 --site DIR [--seed N]
    .venv/bin/python -m benchmarks.review.build_real --split heldout4 --site DIR [--seed N]
    .venv/bin/python -m benchmarks.review.build_real --split heldout5 --site DIR [--seed N]
    .venv/bin/python -m benchmarks.review.build_real --split heldout6 --site DIR [--seed N]
    .venv/bin/python -m benchmarks.review.build_real --split heldout7 --site DIR [--seed N]

The other forms add (or rebuild) one extra split (`heldout2`, session 12; `heldout3`, session
13; `heldout4`, session 14; `heldout5`, session 15; `heldout6`, session 16; `heldout7`, session
17), from its projects (`EXTRA_SPLITS`) unpacked into DIR (wheels from `pip download --no-deps`,
each unzipped there with its `.dist-info`), numbered after the other pairs, which it leaves
unchanged; its pairs go round the projects (a run stopped early still covers each).

An excerpt is a run of whole top-level functions/classes (or whole methods under their class
line) of 40-110 lines, headed by the module's imports that the excerpt uses. The buggy copy
changes one line with a mutation of a listed kind (inverted condition, wrong comparison,
missing return, missing await, wrong variable, `and`/`or`, off by one); the result must parse.
The split is by project: prompts are tuned on the `tune` projects only, the `heldout` ones are
run once at the end. Re-running with the same seed and the same package versions gives the same
corpus; `manifest.json` names package, version, licence, file and line range of every excerpt.
"""

from __future__ import annotations

import argparse
import ast
import importlib.metadata
import json
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET = HERE / "corpus_real"
SITE = Path(sys.prefix) / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}"
SITE = SITE / "site-packages"
MIN_LINES, MAX_LINES = 40, 110
MAX_IMPORT_LINES = 14

# project (distribution name) -> (split, licence, modules relative to site-packages)
PROJECTS: dict[str, tuple[str, str, list[str]]] = {
    "h11": ("tune", "MIT", ["h11/_connection.py", "h11/_readers.py", "h11/_headers.py"]),
    "cachetools": ("tune", "MIT", ["cachetools/__init__.py", "cachetools/func.py"]),
    "requests": (
        "tune",
        "Apache-2.0",
        ["requests/utils.py", "requests/models.py", "requests/cookies.py", "requests/auth.py"],
    ),
    "pluggy": ("tune", "MIT", ["pluggy/_manager.py", "pluggy/_hooks.py", "pluggy/_callers.py"]),
    "attrs": ("tune", "MIT", ["attr/validators.py", "attr/converters.py", "attr/_funcs.py"]),
    "httpx2": (
        "heldout",
        "BSD-3-Clause",
        ["httpx2/_models.py", "httpx2/_urlparse.py", "httpx2/_client.py", "httpx2/_utils.py"],
    ),
    "packaging": (
        "heldout",
        "Apache-2.0 OR BSD-2-Clause",
        [
            "packaging/version.py",
            "packaging/specifiers.py",
            "packaging/tags.py",
            "packaging/utils.py",
        ],
    ),
    "anyio": (
        "heldout",
        "MIT",
        [
            "anyio/_core/_synchronization.py",
            "anyio/streams/memory.py",
            "anyio/streams/buffered.py",
            "anyio/_core/_fileio.py",
        ],
    ),
    "urllib3": (
        "heldout",
        "MIT",
        [
            "urllib3/util/retry.py",
            "urllib3/util/url.py",
            "urllib3/_collections.py",
            "urllib3/util/timeout.py",
        ],
    ),
    "sortedcontainers": ("heldout", "Apache-2.0", ["sortedcontainers/sortedlist.py"]),
}
PAIRS_PER_PROJECT = 4
# Session 12's second held-out split: projects not in PROJECTS, read from `--site DIR`.
HELDOUT2: dict[str, tuple[str, str, list[str]]] = {
    "more-itertools": (
        "heldout2", "MIT", ["more_itertools/recipes.py", "more_itertools/more.py"],
    ),
    "jinja2": (
        "heldout2", "BSD-3-Clause", ["jinja2/utils.py", "jinja2/filters.py", "jinja2/lexer.py"],
    ),
    "werkzeug": (
        "heldout2",
        "BSD-3-Clause",
        ["werkzeug/http.py", "werkzeug/datastructures/structures.py", "werkzeug/urls.py"],
    ),
    "tomlkit": (
        "heldout2", "MIT", ["tomlkit/container.py", "tomlkit/source.py", "tomlkit/parser.py"],
    ),
    "itsdangerous": (
        "heldout2",
        "BSD-3-Clause",
        ["itsdangerous/signer.py", "itsdangerous/timed.py", "itsdangerous/serializer.py"],
    ),
}  # fmt: skip
# Session 13's third held-out split: projects in neither of the above.
HELDOUT3: dict[str, tuple[str, str, list[str]]] = {
    "click": (
        "heldout3", "BSD-3-Clause", ["click/parser.py", "click/formatting.py", "click/utils.py"],
    ),
    "toolz": (
        "heldout3",
        "BSD-3-Clause",
        ["toolz/itertoolz.py", "toolz/functoolz.py", "toolz/dicttoolz.py"],
    ),
    "sqlparse": (
        "heldout3",
        "BSD-3-Clause",
        ["sqlparse/sql.py", "sqlparse/engine/grouping.py", "sqlparse/filters/reindent.py"],
    ),
    "markdown-it-py": (
        "heldout3",
        "MIT",
        ["markdown_it/ruler.py", "markdown_it/renderer.py", "markdown_it/tree.py"],
    ),
    "python-dateutil": (
        "heldout3",
        "Apache-2.0 OR BSD-3-Clause",
        ["dateutil/relativedelta.py", "dateutil/parser/isoparser.py", "dateutil/rrule.py"],
    ),
}  # fmt: skip
# Session 14's fourth held-out split: projects in none of the above, one with async code (trio)
# so the missing-`await` kind can be planted.
HELDOUT4: dict[str, tuple[str, str, list[str]]] = {
    "boltons": (
        "heldout4",
        "BSD-3-Clause",
        ["boltons/iterutils.py", "boltons/strutils.py", "boltons/cacheutils.py"],
    ),
    "networkx": (
        "heldout4",
        "BSD-3-Clause",
        [
            "networkx/algorithms/shortest_paths/unweighted.py",
            "networkx/algorithms/dag.py",
            "networkx/utils/misc.py",
        ],
    ),
    "trio": (
        "heldout4",
        "MIT OR Apache-2.0",
        ["trio/_sync.py", "trio/_core/_parking_lot.py", "trio/_highlevel_open_tcp_stream.py"],
    ),
    "arrow": ("heldout4", "Apache-2.0", ["arrow/parser.py", "arrow/util.py", "arrow/formatter.py"]),
    "marshmallow": (
        "heldout4",
        "MIT",
        ["marshmallow/validate.py", "marshmallow/utils.py", "marshmallow/fields.py"],
    ),
    "pyparsing": (
        "heldout4", "MIT", ["pyparsing/helpers.py", "pyparsing/util.py", "pyparsing/actions.py"],
    ),
}  # fmt: skip
# Session 15's fifth held-out split: projects in none of the above, two with async code
# (starlette, tenacity's asyncio module) so the missing-`await` kind can be planted.
HELDOUT5: dict[str, tuple[str, str, list[str]]] = {
    "starlette": (
        "heldout5",
        "BSD-3-Clause",
        ["starlette/routing.py", "starlette/datastructures.py", "starlette/responses.py"],
    ),
    "tenacity": (
        "heldout5",
        "Apache-2.0",
        ["tenacity/__init__.py", "tenacity/wait.py", "tenacity/asyncio/__init__.py"],
    ),
    "cattrs": (
        "heldout5",
        "MIT",
        ["cattrs/converters.py", "cattrs/cols.py", "cattrs/strategies/_subclasses.py"],
    ),
    "humanize": (
        "heldout5", "MIT", ["humanize/number.py", "humanize/time.py", "humanize/filesize.py"],
    ),
    "mistune": (
        "heldout5",
        "BSD-3-Clause",
        ["mistune/block_parser.py", "mistune/list_parser.py", "mistune/inline_parser.py"],
    ),
    "jsonschema": (
        "heldout5",
        "MIT",
        ["jsonschema/_keywords.py", "jsonschema/_utils.py", "jsonschema/exceptions.py"],
    ),
}  # fmt: skip
# Session 16's sixth held-out split: projects in none of the above, one with async code
# (httpcore's `_async` modules) so the missing-`await` kind can be planted; a parser (parso),
# terminal rendering (rich), dates and numbers (babel), validation (voluptuous) and a data
# structure (intervaltree). parso's modules are its MIT ones (not `pgen2`, `tokenize.py`,
# `token.py`, which its LICENSE.txt says are PSF).
HELDOUT6: dict[str, tuple[str, str, list[str]]] = {
    "httpcore": (
        "heldout6",
        "BSD-3-Clause",
        [
            "httpcore/_async/connection_pool.py",
            "httpcore/_async/http11.py",
            "httpcore/_async/connection.py",
        ],
    ),
    "rich": ("heldout6", "MIT", ["rich/text.py", "rich/table.py", "rich/segment.py"]),
    "babel": (
        "heldout6", "BSD-3-Clause", ["babel/dates.py", "babel/numbers.py", "babel/plural.py"],
    ),
    "voluptuous": (
        "heldout6",
        "BSD-3-Clause",
        ["voluptuous/schema_builder.py", "voluptuous/validators.py", "voluptuous/util.py"],
    ),
    "parso": (
        "heldout6",
        "MIT",
        ["parso/python/diff.py", "parso/python/errors.py", "parso/python/tree.py"],
    ),
    "intervaltree": (
        "heldout6",
        "Apache-2.0",
        ["intervaltree/intervaltree.py", "intervaltree/node.py", "intervaltree/interval.py"],
    ),
}  # fmt: skip
# Session 17's seventh held-out split: projects in none of the above, one with async code
# (aiohttp's pure-Python modules, put first so its second excerpt has the missing-`await` kind's
# turn); a syntax highlighter (pygments), a linter (pyflakes), templates (mako), a terminal UI
# library (prompt_toolkit) and nested-data access (glom). aiohttp's licence is Apache-2.0 (its
# metadata's "AND MIT" is the vendored C llhttp parser, not these modules).
HELDOUT7: dict[str, tuple[str, str, list[str]]] = {
    "aiohttp": (
        "heldout7",
        "Apache-2.0",
        ["aiohttp/streams.py", "aiohttp/web_ws.py", "aiohttp/multipart.py"],
    ),
    "pygments": (
        "heldout7",
        "BSD-2-Clause",
        ["pygments/lexer.py", "pygments/formatters/html.py", "pygments/util.py"],
    ),
    "pyflakes": (
        "heldout7", "MIT", ["pyflakes/checker.py", "pyflakes/api.py", "pyflakes/messages.py"],
    ),
    "mako": ("heldout7", "MIT", ["mako/lexer.py", "mako/codegen.py", "mako/runtime.py"]),
    "prompt-toolkit": (
        "heldout7",
        "BSD-3-Clause",
        [
            "prompt_toolkit/document.py",
            "prompt_toolkit/buffer.py",
            "prompt_toolkit/layout/containers.py",
        ],
    ),
    "glom": ("heldout7", "BSD-3-Clause", ["glom/core.py", "glom/matching.py", "glom/streaming.py"]),
}  # fmt: skip
EXTRA_SPLITS = {
    "heldout2": HELDOUT2,
    "heldout3": HELDOUT3,
    "heldout4": HELDOUT4,
    "heldout5": HELDOUT5,
    "heldout6": HELDOUT6,
    "heldout7": HELDOUT7,
}
# Every split's name, as the benchmarks' `--split` takes it.
SPLITS = ["tune", "heldout", *EXTRA_SPLITS]
HELDOUT2_PAIRS_PER_PROJECT = 3
KINDS = [
    "inverted-condition",
    "wrong-variable",
    "missing-return",
    "wrong-comparison",
    "off-by-one",
    "and-or",
    "missing-await",
]


@dataclass(frozen=True)
class Mutation:
    line: int  # 1-based in the excerpt
    kind: str
    before: str
    after: str
    description: str


@dataclass(frozen=True)
class Excerpt:
    project: str
    module: str
    first: int  # 1-based source lines of the code part, inclusive
    last: int
    header: list[str]  # import lines
    code: list[str]
    owner: str  # class line when the excerpt is methods of a class, else ""

    @property
    def lines(self) -> list[str]:
        head = [*self.header, "", ""] if self.header else []
        owner = [self.owner] if self.owner else []
        return [*head, *owner, *self.code]

    @property
    def offset(self) -> int:
        """Excerpt line = source line - first + offset + 1."""
        return len(self.lines) - len(self.code)


def _units(body: list[ast.stmt]) -> list[ast.stmt]:
    return [n for n in body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)]


def _start(node: ast.stmt) -> int:
    decorators: list[ast.expr] = getattr(node, "decorator_list", [])
    return min([node.lineno, *(d.lineno for d in decorators)])


def windows(source: list[str], tree: ast.Module) -> list[tuple[int, int, str]]:
    """Runs of whole consecutive definitions (source lines, inclusive) of a fitting size, with
    the class line to put above when they are methods."""
    found: list[tuple[int, int, str]] = []

    def runs(units: list[ast.stmt], owner: str) -> None:
        for i in range(len(units)):
            first = _start(units[i])
            for j in range(i, len(units)):
                last = units[j].end_lineno or units[j].lineno
                size = last - first + 1
                if size > MAX_LINES:
                    break
                if size >= MIN_LINES:
                    found.append((first, last, owner))
                    break

    runs(_units(tree.body), "")
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and (node.end_lineno or 0) - node.lineno >= MAX_LINES:
            header = source[node.lineno - 1]
            if header.rstrip().endswith(":"):
                runs(_units(node.body), header)
    return found


def import_header(source: list[str], tree: ast.Module, code: str) -> list[str]:
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", code))
    header: list[str] = []
    for node in tree.body:
        if not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        names = [a for a in node.names if (a.asname or a.name.split(".")[0]) in words]
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            names = list(node.names)
        if not names:
            continue
        parts = ", ".join(a.name + (f" as {a.asname}" if a.asname else "") for a in names)
        if isinstance(node, ast.Import):
            header.append(f"import {parts}")
        else:
            header.append(f"from {'.' * node.level}{node.module or ''} import {parts}")
    return header[:MAX_IMPORT_LINES]


# -- mutations ---------------------------------------------------------------------------

_FLIP = {
    ast.Eq: ("==", "!="), ast.NotEq: ("!=", "=="), ast.Is: ("is", "is not"),
    ast.IsNot: ("is not", "is"), ast.In: ("in", "not in"), ast.NotIn: ("not in", "in"),
}  # fmt: skip
_BOUND = {ast.Lt: ("<", "<="), ast.LtE: ("<=", "<"), ast.Gt: (">", ">="), ast.GtE: (">=", ">")}


def _segment(lines: list[str], node: ast.AST) -> tuple[int, int, int] | None:
    """(0-based line, start col, end col) of a node on one line."""
    lineno = getattr(node, "lineno", None)
    if lineno is None or node.end_lineno != lineno:  # type: ignore[attr-defined]
        return None
    return lineno - 1, node.col_offset, node.end_col_offset  # type: ignore[attr-defined]


def _replace(lines: list[str], row: int, start: int, end: int, new: str) -> str:
    text = lines[row]
    return text[:start] + new + text[end:]


def _op_between(lines: list[str], left: ast.AST, right: ast.AST, op: str) -> tuple[int, int] | None:
    """Columns of the operator text between two operands on one line."""
    a, b = _segment(lines, left), _segment(lines, right)
    if a is None or b is None or a[0] != b[0]:
        return None
    gap = lines[a[0]][a[2] : b[1]]
    match = re.search(r"(?<![=!<>])" + re.escape(op).replace(r"\ ", r"\s+") + r"(?![=])", gap)
    if match is None:
        return None
    return a[2] + match.start(), a[2] + match.end()


def candidates(lines: list[str], tree: ast.AST, code_from: int) -> dict[str, list[Mutation]]:
    """Every single-line mutation of each kind on lines >= code_from (0-based)."""
    found: dict[str, list[Mutation]] = {kind: [] for kind in KINDS}

    def add(kind: str, row: int, new_line: str, description: str) -> None:
        if row < code_from or new_line == lines[row]:
            return
        if lines[row].lstrip().startswith(("#", "@")) or '"""' in lines[row]:
            return
        found[kind].append(Mutation(row + 1, kind, lines[row], new_line, description))

    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            op = type(node.ops[0])
            if op in _FLIP or op in _BOUND:
                old, new = _FLIP.get(op) or _BOUND[op]
                where = _op_between(lines, node.left, node.comparators[0], old)
                if where is not None:
                    row = node.lineno - 1
                    new_line = _replace(lines, row, where[0], where[1], new)
                    kind = "inverted-condition" if op in _FLIP else "wrong-comparison"
                    add(kind, row, new_line, f"`{old}` became `{new}`")
        if isinstance(node, ast.If | ast.While) and isinstance(
            node.test, ast.Name | ast.Attribute | ast.Call
        ):
            seg = _segment(lines, node.test)
            if seg is not None:
                row, start, end = seg
                text = lines[row][start:end]
                new_line = _replace(lines, row, start, end, f"not {text}")
                add("inverted-condition", row, new_line, f"the test `{text}` was negated")
        test = getattr(node, "test", None) if isinstance(node, ast.If | ast.While) else None
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            seg, inner = _segment(lines, test), _segment(lines, test.operand)
            if seg is not None and inner is not None:
                row = seg[0]
                new_line = _replace(lines, row, seg[1], inner[1], "")
                add("inverted-condition", row, new_line, "a `not` was dropped from the test")
        if isinstance(node, ast.BoolOp) and len(node.values) == 2:
            old, new = ("and", "or") if isinstance(node.op, ast.And) else ("or", "and")
            where = _op_between(lines, node.values[0], node.values[1], old)
            if where is not None:
                row = node.lineno - 1
                new_line = _replace(lines, row, where[0], where[1], new)
                add("and-or", row, new_line, f"`{old}` became `{new}`")
        if (
            isinstance(node, ast.BinOp)
            and isinstance(node.op, ast.Add | ast.Sub)
            and isinstance(node.right, ast.Constant)
            and node.right.value == 1
        ):
            seg, left = _segment(lines, node), _segment(lines, node.left)
            if seg is not None and left is not None:
                row = seg[0]
                sign = "+" if isinstance(node.op, ast.Add) else "-"
                new_line = _replace(lines, row, left[2], seg[2], "")
                add("off-by-one", row, new_line, f"the `{sign} 1` was dropped")
        if (
            isinstance(node, ast.Return)
            and node.value is not None
            and not (isinstance(node.value, ast.Constant) and node.value.value is None)
        ):
            seg = _segment(lines, node)
            if seg is not None and lines[seg[0]][seg[1] :].startswith("return "):
                row = seg[0]
                new_line = _replace(lines, row, seg[1], seg[1] + len("return "), "")
                add("missing-return", row, new_line, "the `return` was dropped: returns None")
        if isinstance(node, ast.Await):
            seg = _segment(lines, node)
            if seg is not None and lines[seg[0]][seg[1] :].startswith("await "):
                row = seg[0]
                new_line = _replace(lines, row, seg[1], seg[1] + len("await "), "")
                add("missing-await", row, new_line, "the `await` was dropped")
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            _wrong_variables(lines, node, add)
    return found


def _wrong_variables(lines: list[str], func: ast.AST, add: object) -> None:
    """A name read in the function replaced by another parameter or local of it that is
    already bound there."""
    assert callable(add)
    args = func.args  # type: ignore[attr-defined]
    params = [a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]]
    bound: dict[str, int] = {p: func.lineno for p in params if p not in ("self", "cls")}  # type: ignore[attr-defined]
    for node in ast.walk(func):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound.setdefault(node.id, node.lineno)
    for node in ast.walk(func):
        if not (isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)):
            continue
        if node.id not in bound:
            continue
        others = sorted(
            n for n, at in bound.items() if n != node.id and at < node.lineno and len(n) > 1
        )
        if not others:
            continue
        other = others[(node.lineno * 7 + node.col_offset) % len(others)]
        seg = _segment(lines, node)
        if seg is None:
            continue
        row, start, end = seg
        add(
            "wrong-variable",
            row,
            _replace(lines, row, start, end, other),
            f"`{node.id}` became `{other}`, another variable of the function",
        )


def plant(lines: list[str], code_from: int, kind_order: list[str], rng: random.Random) -> Mutation:
    tree = ast.parse("\n".join(lines))
    found = candidates(lines, tree, code_from)
    for kind in kind_order:
        options = found[kind]
        rng.shuffle(options)
        for mutation in options:
            changed = [*lines]
            changed[mutation.line - 1] = mutation.after
            try:
                ast.parse("\n".join(changed))
            except SyntaxError:
                continue
            return mutation
    raise LookupError("no mutation fits")


def choose(
    project: str, modules: list[str], site: Path, rng: random.Random, per_project: int
) -> list[Excerpt]:
    """`per_project` excerpts of a project's modules (at most 2 a module, none overlapping)."""
    chosen: list[Excerpt] = []
    pool: list[Excerpt] = []
    for module in modules:
        source = (site / module).read_text(encoding="utf-8").split("\n")
        tree = ast.parse("\n".join(source))
        for first, last, owner in windows(source, tree):
            code = source[first - 1 : last]
            header = import_header(source, tree, "\n".join(code))
            pool.append(Excerpt(project, module, first, last, header, code, owner))
    rng.shuffle(pool)
    used: list[tuple[str, int, int]] = []
    for excerpt in pool:
        overlap = any(
            m == excerpt.module and excerpt.first <= b and a <= excerpt.last for m, a, b in used
        )
        if overlap or len(excerpt.lines) > 140:
            continue
        if sum(1 for e in chosen if e.module == excerpt.module) >= 2:
            continue
        chosen.append(excerpt)
        used.append((excerpt.module, excerpt.first, excerpt.last))
        if len(chosen) == per_project:
            break
    return chosen


def write_pair(
    excerpt: Excerpt, mutation: Mutation, number: int, split: str, version: str, licence: str
) -> dict[str, object]:
    """Both copies written to TARGET; the pair's manifest entry."""
    lines = excerpt.lines
    project = excerpt.project
    stem = Path(excerpt.module).stem.strip("_")
    if stem == "init":
        stem = Path(excerpt.module).parent.name
    name = f"{number:02d}_{project.replace('-', '')}_{stem}.py"
    buggy = [*lines]
    buggy[mutation.line - 1] = mutation.after
    for folder, text in (("clean", lines), ("buggy", buggy)):
        path = TARGET / folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(text).rstrip("\n") + "\n", encoding="utf-8")
    return {
        "file": name,
        "split": split,
        "project": project,
        "version": version,
        "licence": licence,
        "source": excerpt.module,
        "source_lines": [excerpt.first, excerpt.last],
        "class_line": excerpt.owner.strip() or None,
        "import_lines": len(excerpt.header),
        "lines": len(lines),
        "bug": {
            "line": mutation.line,
            "kind": mutation.kind,
            "snippet": mutation.after.strip(),
            "original": mutation.before.strip(),
            "description": mutation.description,
        },
    }


def build(seed: int) -> dict[str, object]:
    rng = random.Random(seed)
    manifest: dict[str, object] = {}
    pairs: list[dict[str, object]] = []
    kind_turn = 0
    number = 0
    for project, (split, licence, modules) in PROJECTS.items():
        version = importlib.metadata.version(project)
        for excerpt in choose(project, modules, SITE, rng, PAIRS_PER_PROJECT):
            order = KINDS[kind_turn % len(KINDS) :] + KINDS[: kind_turn % len(KINDS)]
            try:
                mutation = plant(excerpt.lines, excerpt.offset, order, rng)
            except LookupError:
                continue
            kind_turn += 1
            number += 1
            pairs.append(write_pair(excerpt, mutation, number, split, version, licence))
    manifest["seed"] = seed
    manifest["pairs"] = pairs
    return manifest


def pair_number(pair: dict[str, object]) -> int:
    """A pair's number, the part of its file name before the first `_` (`07_...`, `100_...`)."""
    return int(str(pair["file"]).split("_", 1)[0])


def site_version(site: Path, project: str) -> str:
    for dist in importlib.metadata.distributions(path=[str(site)]):
        if dist.metadata["Name"].lower().replace("_", "-") == project:
            return dist.version
    raise LookupError(f"{project}: no .dist-info in {site}")


def build_extra(
    manifest: dict[str, object], site: Path, seed: int, split_name: str = "heldout2"
) -> list[dict[str, object]]:
    """One extra split's pairs (`EXTRA_SPLITS`) from `site`, numbered after `manifest`'s other
    pairs, round the projects; `manifest`'s own pairs and files are not touched. The default
    split and seed give session 12's `heldout2` unchanged (the same rng draws)."""
    projects = EXTRA_SPLITS[split_name]
    rng = random.Random(seed)
    # numbered after the splits built before this one, so a rebuild keeps its numbers
    later = list(EXTRA_SPLITS)[list(EXTRA_SPLITS).index(split_name) :]
    others = [p for p in manifest["pairs"] if p["split"] not in later]  # type: ignore[attr-defined]
    number = max(pair_number(p) for p in others)
    chosen = {
        project: choose(project, modules, site, rng, HELDOUT2_PAIRS_PER_PROJECT)
        for project, (_split, _licence, modules) in projects.items()
    }
    pairs: list[dict[str, object]] = []
    kind_turn = 0
    for turn in range(HELDOUT2_PAIRS_PER_PROJECT):
        for project, (split, licence, _modules) in projects.items():
            if turn >= len(chosen[project]):
                continue
            excerpt = chosen[project][turn]
            order = KINDS[kind_turn % len(KINDS) :] + KINDS[: kind_turn % len(KINDS)]
            try:
                mutation = plant(excerpt.lines, excerpt.offset, order, rng)
            except LookupError:
                continue
            kind_turn += 1
            number += 1
            version = site_version(site, project)
            pairs.append(write_pair(excerpt, mutation, number, split, version, licence))
    return pairs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build corpus_real from installed packages.")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--split", choices=sorted(EXTRA_SPLITS), help="add this split only")
    parser.add_argument("--site", type=Path, help="with --split: the unpacked wheels")
    args = parser.parse_args(argv)
    if args.split:
        if args.site is None:
            parser.error("--split needs --site")
        manifest = json.loads((TARGET / "manifest.json").read_text(encoding="utf-8"))
        for pair in manifest["pairs"]:
            if pair["split"] == args.split:
                for folder in ("clean", "buggy"):
                    (TARGET / folder / pair["file"]).unlink(missing_ok=True)
        kept = [p for p in manifest["pairs"] if p["split"] != args.split]
        manifest["pairs"] = kept
        added = build_extra(manifest, args.site, args.seed, args.split)
        manifest["pairs"] = sorted(kept + added, key=pair_number)
        manifest[f"{args.split}_seed"] = args.seed
    else:
        for old in TARGET.glob("*/*.py"):
            old.unlink()
        manifest = build(args.seed)
    (TARGET / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    pairs = manifest["pairs"]
    assert isinstance(pairs, list)
    for pair in pairs:
        bug = pair["bug"]
        print(f"{pair['split']:8} {pair['file']:40} {pair['lines']:4} {bug['kind']:20} "
              f"{bug['line']:4} {bug['original']!r} -> {bug['snippet']!r}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
