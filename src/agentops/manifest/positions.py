"""Map a field path back to the line and column it was written at, via the YAML node tree."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml

from agentops.model import spec
from agentops.model.problems import Problem

Loc = Sequence[int | str]


@dataclass(frozen=True)
class Tree:
    """A composed YAML document and where its text starts in the file."""

    file: str
    node: yaml.Node | None  # None when positions are unknown (e.g. JSON YAML cannot read)
    line_offset: int = 0
    prefix: str = ""  # prepended to field paths, e.g. "defaults" for values from agentops.yaml

    def position(self, node: yaml.Node | None) -> tuple[int, int]:
        if node is None:
            return 1 + self.line_offset, 1
        return node.start_mark.line + 1 + self.line_offset, node.start_mark.column + 1


def _scalar(node: yaml.Node) -> str | None:
    return node.value if isinstance(node, yaml.ScalarNode) else None


def _child(node: yaml.MappingNode, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    # The last occurrence wins, as it does when PyYAML constructs the mapping.
    found = None
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            found = (key_node, value_node)
    return found


def _type_of(node: yaml.MappingNode) -> str | None:
    pair = _child(node, "type")
    return _scalar(pair[1]) if pair else None


def _walk(node: yaml.Node | None, loc: Loc, key: bool) -> yaml.Node | None:
    """Follow `loc` down from `node`, skipping union tags; a missing key stops at its parent."""
    for index, part in enumerate(loc):
        last = index == len(loc) - 1
        if isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            node = node.value[part]
        elif isinstance(node, yaml.MappingNode):
            if not last and part == _type_of(node):
                continue
            pair = _child(node, str(part))
            if pair is not None:
                node = pair[0] if key and last else pair[1]
    return node


def _complete(node: yaml.Node | None, loc: Loc, key: bool) -> yaml.Node | None:
    """The node at `loc` when every part of it is written under `node`, else None."""
    for index, part in enumerate(loc):
        last = index == len(loc) - 1
        if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        elif isinstance(node, yaml.MappingNode):
            if not last and part == _type_of(node):
                continue
            pair = _child(node, str(part))
            if pair is None:
                return None
            node = pair[0] if key and last else pair[1]
        else:
            return None
    return node


@dataclass(frozen=True)
class Locator:
    """Positions for one manifest, whose values may partly come from agentops.yaml defaults,
    an environment's defaults, or the manifest's own `overrides.<environment>`."""

    tree: Tree
    data: Any
    defaults: Tree | None = None
    environment: Tree | None = None  # environments.<env>.defaults in agentops.yaml
    override: Tree | None = None  # overrides.<env> in the manifest

    def find(self, loc: Loc, key: bool = False) -> tuple[Tree, yaml.Node | None]:
        """The tree and node a pydantic location points at (the key node itself when `key`).

        A value written in the override wins. A key the manifest lacks but a defaults mapping at
        the same place has was filled in from those defaults (the environment's first), so the
        rest of the walk continues in agentops.yaml.
        """
        if self.override is not None:
            found = _complete(self.override.node, loc, key)
            if found is not None:
                return self.override, found
        if self.environment is not None:
            tree, found = Locator(self.tree, self.data, self.environment).find(loc, key)
            if tree is self.environment:
                return tree, found
        node = self.tree.node
        other = self.defaults.node if self.defaults else None
        for index, part in enumerate(loc):
            if not isinstance(node, yaml.MappingNode) or not isinstance(other, yaml.MappingNode):
                break
            if index < len(loc) - 1 and part == _type_of(node):
                continue
            mine, theirs = _child(node, str(part)), _child(other, str(part))
            if mine is None and theirs is not None and self.defaults is not None:
                if key and index == len(loc) - 1:
                    return self.defaults, theirs[0]
                return self.defaults, _walk(theirs[1], loc[index + 1 :], key)
            if mine is None or theirs is None:
                break
            node, other = mine[1], theirs[1]
        return self.tree, _walk(self.tree.node, loc, key)

    def where(self, loc: Loc, key: bool = False) -> tuple[str, int, int, str]:
        """(file, line, column, field path) of `loc`: where a problem about it points."""
        tree, node = self.find(loc, key)
        line, column = tree.position(node)
        path = spec.field_path(tuple(loc), self.data) if self.data is not None else _render(loc)
        if tree is not self.tree and tree.prefix:
            path = f"{tree.prefix}.{path}" if path else tree.prefix
        # A path holds keys as written; escaped so no output (JSON consumers included) shows them raw.
        return tree.file, line, column, _visible(path)

    def problem(self, loc: Loc, message: str, hint: str | None = None, key: bool = False) -> Problem:
        return Problem(*self.where(loc, key), message, hint)


# The same few paths are escaped for every manifest (a check per character each time).
_visible = lru_cache(maxsize=1024)(spec.visible)


def _render(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
