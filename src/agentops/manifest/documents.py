"""Files to raw documents: safe YAML, JSON and `ant apply`-style Markdown, with size guards."""

from __future__ import annotations

import json
import os
import re
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from agentops.files import read_capped
from agentops.manifest.positions import Tree
from agentops.manifest.secrets import mask_line
from agentops.model.problems import Problem

MAX_BYTES = 1024 * 1024
# Alias expansion beyond this many nodes is refused ("billion laughs"); real manifests use hundreds.
MAX_NODES = 100_000
SUFFIXES = (".yaml", ".yml", ".json", ".md")
# Real manifests nest about 6 levels (initial_events[0].content[0].source.url); anything this
# deep is refused up front, so no later recursive step (defaults merge, validation, diff) can
# exhaust the interpreter's stack.
MAX_DEPTH = 64


@dataclass(frozen=True)
class Document:
    """One mapping from a file, with its node tree for positions."""

    data: dict[str, Any]
    tree: Tree
    line: int
    body: str | None = None  # the Markdown body of an .md file, surrounding blank lines removed


def strip_blank_lines(text: str) -> str:
    lines = text.split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines)


def _suffix(name: str) -> str:
    """The suffix of a file name as `PurePath.suffix` has it (a leading dot starts no suffix)."""
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


class Reader:
    """Reads the files of one repository root, refusing what `read_text` refuses.

    One Reader serves a whole load: the root and each folder are resolved once, not once per
    file, and a file that is not itself a symlink is found from its folder's real path.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._inside: tuple[str, str] | None = None  # the resolved root, and it as a folder prefix
        self._folders: dict[str, str] = {}  # folder as given -> its real path

    def _resolved_root(self) -> tuple[str, str]:
        if self._inside is None:
            real = str(self.root.resolve())
            self._inside = real, real if real.endswith(os.sep) else real + os.sep
        return self._inside

    def _locate(self, path: str) -> tuple[str, int | None]:
        """(the real path of `path`, its file mode when already known), raising as resolving does.

        A file that is no symlink is where its folder's real path says; anything else (a link,
        an error, a '.' or '..' name) takes the full resolve, so its errors stay the same.
        """
        folder, name = os.path.split(path)
        if name not in ("", ".", ".."):
            try:
                mode = os.lstat(path).st_mode
                if not stat.S_ISLNK(mode):
                    real = self._folders.get(folder)
                    if real is None:
                        real = self._folders[folder] = os.path.realpath(folder, strict=True)
                    return os.path.join(real, name), mode
            except OSError:
                pass
        return str(Path(path).resolve(strict=True)), None

    def text(self, path: Path | str, file: str) -> tuple[str | None, Problem | None]:
        """The text of a regular file inside the root, or a Problem: a special file, a symlink
        leading out of the root, too large, unreadable or not UTF-8. Never reads more than
        MAX_BYTES + 1 bytes."""
        try:
            resolved, mode = self._locate(os.fspath(path))
            raw = read_capped(resolved, MAX_BYTES, mode)
        except OSError as exc:
            return None, Problem(file, 1, 1, "", f"cannot read file: {exc.strerror or exc}")
        except RuntimeError:  # a symlink loop on Python < 3.13
            return None, Problem(file, 1, 1, "", "cannot read file: symlink loop")
        if isinstance(raw, str):
            return None, Problem(file, 1, 1, "", f"is {raw}, not a regular file",
                                 "only regular files (or symlinks to them inside the repository) are read")
        root, prefix = self._resolved_root()
        if resolved != root and not resolved.startswith(prefix):
            return None, Problem(file, 1, 1, "", "is a symlink that resolves outside the repository",
                                 "replace the link with the file itself")
        if len(raw) > MAX_BYTES:
            return None, Problem(file, 1, 1, "", f"file is over the size limit; the limit is {MAX_BYTES:,} bytes",
                                 "split it into smaller files")
        try:
            return raw.decode("utf-8-sig"), None
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
            return None, Problem(file, line, column, "", f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
                                 "save the file as UTF-8")

    def parse(self, path: Path | str, file: str) -> list[Document | Problem]:
        """The documents of one manifest file (empty YAML documents skipped), or what is wrong with it."""
        text, problem = self.text(path, file)
        if text is None:
            return [problem] if problem else []
        suffix = _suffix(os.path.basename(path)).lower()
        if suffix == ".json":
            return _json(text, file)
        if suffix == ".md":
            return _markdown(text, file)
        found, problems = parse_yaml(text, file)
        return [*_mappings(found, file), *problems]


def read_text(path: Path, file: str, root: Path) -> tuple[str | None, Problem | None]:
    """The text of a regular file inside `root`, or a Problem (see Reader.text)."""
    return Reader(root).text(path, file)


def _excerpt(text: str, line: int) -> str | None:
    """Line `line` (0-based) of `text`, masked so a literal secret on it is never quoted."""
    lines = text.split("\n")
    return mask_line(lines[line].rstrip("\r")) if 0 <= line < len(lines) else None


TABS = "YAML does not allow tabs for indentation; use spaces"


def _yaml_problem(file: str, exc: yaml.YAMLError, line_offset: int, source: str) -> Problem:
    # Not str(exc), which quotes the source unmasked: the problem text, its mark and a masked excerpt.
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 + line_offset if mark else 1 + line_offset
    column = mark.column + 1 if mark else 1
    excerpt = _excerpt(source, mark.line) if mark else None
    text = getattr(exc, "problem", None) or "invalid YAML"
    context = getattr(exc, "context", None)
    if "python/" in text:
        return Problem(file, line, column, "", "Python-specific YAML tags are not allowed",
                       "manifests are plain data: remove the !!python tag", excerpt)
    if "constructor for the tag" in text:
        return Problem(file, line, column, "", "unknown YAML tag", "remove the '!' tag", excerpt)
    message = f"invalid YAML: {context}, {text}" if context else f"invalid YAML: {text}"
    at = excerpt[column - 1 : column] if excerpt else ""
    hint = TABS if "'\\t'" in text or at == "\t" else None
    return Problem(file, line, column, "", message, hint, excerpt)


def _alias_problem(root: yaml.Node, tree: Tree) -> Problem | None:
    """Refuse recursive aliases and documents whose aliases expand too far (an alias bomb)."""
    sizes: dict[int, int] = {}
    active: set[int] = set()
    issue: list[Problem] = []

    def size(node: yaml.Node) -> int:
        if id(node) in sizes:
            return sizes[id(node)]
        if id(node) in active:
            line, column = tree.position(node)
            issue.append(Problem(tree.file, line, column, "", "recursive YAML alias",
                                 "a value cannot contain itself"))
            return MAX_NODES + 1
        active.add(id(node))
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(size(child) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(size(key) + size(value) for key, value in node.value)
        active.discard(id(node))
        sizes[id(node)] = total
        return total

    total = size(root)
    if issue:
        return issue[0]
    if total > MAX_NODES:
        line, column = tree.position(root)
        return Problem(tree.file, line, column, "",
                       f"document expands to more than {MAX_NODES:,} values through YAML aliases",
                       "refused as a likely alias bomb; write the values out")
    return None


def _children(value: Any) -> list[Any]:
    if isinstance(value, yaml.MappingNode):
        return [child for _, child in value.value]
    if isinstance(value, yaml.SequenceNode | list):
        return list(value.value if isinstance(value, yaml.SequenceNode) else value)
    return list(value.values()) if isinstance(value, dict) else []


def _depth_problem(data: Any, tree: Tree) -> Problem | None:
    """A Problem at the first value nested deeper than MAX_DEPTH, found without recursion.

    Walks the YAML nodes when there are any (so the problem has a position), else the data.
    """
    pending: list[tuple[Any, int]] = [(tree.node if tree.node is not None else data, 0)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_DEPTH:
            line, column = tree.position(value if isinstance(value, yaml.Node) else None)
            return Problem(tree.file, line, column, "", f"nested more than {MAX_DEPTH} levels deep",
                           "manifests are a few levels deep; flatten the structure")
        pending.extend((child, depth + 1) for child in _children(value))
    return None


class _DuplicateKey(Exception):
    def __init__(self, key: yaml.ScalarNode) -> None:
        self.key = key


# libyaml's parser is ~10x faster than PyYAML's pure-Python one; both construct with SafeConstructor.
_SafeBase: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


_STR, _MAP, _SEQ = (f"tag:yaml.org,2002:{kind}" for kind in ("str", "map", "seq"))
_SCALARS = frozenset(f"tag:yaml.org,2002:{kind}" for kind in ("int", "float", "bool", "null"))


class _Unusual(Exception):
    """A node the direct construction leaves to PyYAML's constructor (other tags, merge keys, complex keys)."""


def _check_keys(node: yaml.Node, plain: bool) -> None:
    """Refuse a repeated key; when `plain`, also hand any key but a plain scalar to PyYAML."""
    seen: set[str] = set()
    for key, _ in node.value:
        if plain and (key.__class__ is not yaml.ScalarNode or (key.tag != _STR and key.tag not in _SCALARS)):
            raise _Unusual
        if isinstance(key, yaml.ScalarNode) and key.value != "<<":
            if key.value in seen:
                raise _DuplicateKey(key)
            seen.add(key.value)


class _Loader(_SafeBase):  # type: ignore[valid-type, misc]
    """Safe loading: plain data only; any other tag is a construction error; duplicate keys refused."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        # Checked here, during the one walk construction makes anyway, rather than in a walk of its own.
        _check_keys(node, plain=False)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep)
        return mapping

    def resolve(self, kind: type[yaml.Node], value: str, implicit: tuple[bool, bool]) -> str | None:
        """PyYAML's Resolver.resolve without path or wildcard resolvers (none are registered):
        libyaml calls this for every node, so the general version's extra lookups add up."""
        if kind is yaml.ScalarNode:
            if implicit[0]:
                for tag, pattern in self.yaml_implicit_resolvers.get(value[:1], ()):
                    if pattern.match(value):
                        return str(tag)
            return _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP if kind is yaml.MappingNode else None

    def construct_plain(self, root: yaml.Node) -> tuple[Any, bool]:
        """(what construct_document returns, whether anything nests deeper than MAX_DEPTH) for a
        document without aliases of maps, sequences and str/int/float/bool/null scalars, built
        in one pass without PyYAML's per-node bookkeeping; anything else raises _Unusual.

        Containers are filled in construct_document's order (breadth first, each mapping's keys
        checked before its values are built), so the first duplicate key or bad number it would
        report is the one raised here, and _Unusual is raised only before either.
        """
        constructors = self.yaml_constructors
        pending: list[tuple[yaml.Node, Any, int]] = []

        def value(node: yaml.Node, depth: int) -> Any:
            kind, tag = node.__class__, node.tag
            if kind is yaml.ScalarNode:
                if tag == _STR:
                    return node.value
                if tag in _SCALARS:
                    return constructors[tag](self, node)
            elif kind is yaml.MappingNode and tag == _MAP:
                mapping: dict[Any, Any] = {}
                pending.append((node, mapping, depth))
                return mapping
            elif kind is yaml.SequenceNode and tag == _SEQ:
                items: list[Any] = []
                pending.append((node, items, depth))
                return items
            raise _Unusual

        data = value(root, 0)
        too_deep = False
        scalar = yaml.ScalarNode
        for node, container, depth in pending:  # grows while it is walked: breadth first
            children, depth = node.value, depth + 1
            too_deep = too_deep or (depth > MAX_DEPTH and bool(children))
            # Strings, most of every manifest, are taken in place rather than through value().
            if isinstance(container, list):
                container.extend([child.value if child.__class__ is scalar and child.tag == _STR
                                  else value(child, depth) for child in children])
                continue
            _check_keys(node, plain=True)
            for key, item in children:
                container[key.value if key.tag == _STR else value(key, depth)] = (
                    item.value if item.__class__ is scalar and item.tag == _STR else value(item, depth))
        return data, too_deep

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        try:
            value: int = super().construct_yaml_int(node)
        except ValueError:
            limit = sys.get_int_max_str_digits()
            raise yaml.constructor.ConstructorError(
                None, None, f"a number with more than {limit:,} digits (write it as a string if it is text)",
                node.start_mark) from None
        return value


_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)


def _construct(loader: _Loader, node: yaml.Node, tree: Tree, plain: bool) -> tuple[Any, Problem | None]:
    """The document's data and a Problem if it nests too deep; built directly when `plain`
    allows and the document is plain data, else by PyYAML (the nodes are left untouched)."""
    if plain:
        try:
            data, too_deep = loader.construct_plain(node)
        except _Unusual:
            pass
        else:
            return data, _depth_problem(data, tree) if too_deep else None
    data = loader.construct_document(node)
    return data, _depth_problem(data, tree)


def parse_yaml(text: str, file: str, line_offset: int = 0) -> tuple[list[tuple[Any, Tree]], list[Problem]]:
    """Every non-empty document of a YAML stream as (data, tree); stops at the first syntax error."""
    out: list[tuple[Any, Tree]] = []
    loader = _Loader(text)
    # Aliases need anchors: a stream without "&" cannot hold an alias bomb, so skip that walk.
    may_alias = "&" in text
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            tree = Tree(file, node, line_offset)
            refused = _alias_problem(node, tree) if may_alias else None
            if refused is not None:
                return out, [refused]
            try:
                data, deep = _construct(loader, node, tree, plain=not may_alias)
            except _DuplicateKey as duplicate:
                line, column = tree.position(duplicate.key)
                return out, [Problem(file, line, column, duplicate.key.value, "duplicate key",
                                     "each key may appear once in a mapping")]
            if deep is not None:
                return out, [deep]
            if data is not None:
                out.append((data, tree))
    except yaml.YAMLError as exc:
        return out, [_yaml_problem(file, exc, line_offset, text)]
    except RecursionError:
        return out, [Problem(file, 1 + line_offset, 1, "", "YAML nested too deeply")]
    finally:
        loader.dispose()
    return out, []


def _mappings(found: list[tuple[Any, Tree]], file: str, body: str | None = None) -> list[Document | Problem]:
    out: list[Document | Problem] = []
    for data, tree in found:
        line, column = tree.position(tree.node)
        if isinstance(data, dict):
            out.append(Document(data, tree, line, body))
        else:
            out.append(Problem(file, line, column, "", "expected a mapping of deployment fields"))
    return out


class _JSONDuplicate(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _JSONDuplicate(key)
        out[key] = value
    return out


def _repeated_key(node: yaml.Node | None, key: str) -> yaml.Node | None:
    """The second occurrence of `key` in the first mapping that repeats it (no recursion: any depth)."""
    pending = [node] if node is not None else []
    while pending:
        current = pending.pop(0)
        if isinstance(current, yaml.MappingNode):
            seen = set()
            for key_node, value_node in current.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                    if key in seen:
                        return key_node
                    seen.add(key)
                pending.append(value_node)
        elif isinstance(current, yaml.SequenceNode):
            pending.extend(current.value)
    return None


def _too_many_digits(text: str, file: str) -> Problem:
    limit = sys.get_int_max_str_digits()
    match = re.search(rf"\d{{{limit + 1},}}", text)
    offset = match.start() if match else 0
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Problem(file, line, column, "", f"a number with more than {limit:,} digits",
                   "write it as a string if it is meant as text")


def _json(text: str, file: str) -> list[Document | Problem]:
    duplicate = None
    try:
        data = json.loads(text, object_pairs_hook=_unique_pairs)
    except json.JSONDecodeError as exc:
        return [Problem(file, exc.lineno, exc.colno, "", f"invalid JSON: {exc.msg}", None,
                        _excerpt(text, exc.lineno - 1))]
    except RecursionError:
        return [Problem(file, 1, 1, "", "JSON nested too deeply")]
    except _JSONDuplicate as exc:
        duplicate, data = exc.key, None
    except ValueError:  # int() refusing a number beyond the interpreter's digit limit
        return [_too_many_digits(text, file)]
    # JSON is YAML, so positions come from a compose when PyYAML can read it (it rejects tabs).
    node = None
    try:
        node = yaml.compose(text, Loader=_Loader)
    except (yaml.YAMLError, RecursionError):
        node = None
    tree = Tree(file, node)
    if duplicate is not None:
        line, column = tree.position(_repeated_key(node, duplicate))
        return [Problem(file, line, column, duplicate, "duplicate key", "each key may appear once in an object")]
    deep = _depth_problem(data, tree)
    return [deep] if deep is not None else _mappings([(data, tree)], file)


def _markdown(text: str, file: str) -> list[Document | Problem]:
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return [Problem(file, 1, 1, "", "expected YAML front matter between '---' lines at the top",
                        "start the file with a line '---', the fields, then another '---'")]
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() == "---"), None)
    if end is None:
        return [Problem(file, 1, 1, "", "front matter is not closed", "add a line '---' after the fields")]
    found, problems = parse_yaml("\n".join(lines[1:end]), file, line_offset=1)
    if problems:
        return list(problems)
    if not found:
        found = [({}, Tree(file, None, line_offset=0))]
    if len(found) > 1:
        return [Problem(file, 1, 1, "", "front matter must be a single YAML document")]
    body = strip_blank_lines("\n".join(lines[end + 1 :]))
    return _mappings(found[:1], file, body)


def parse_file(path: Path, file: str, root: Path) -> list[Document | Problem]:
    """The documents of one manifest file (empty YAML documents skipped), or what is wrong with it."""
    return Reader(root).parse(path, file)
