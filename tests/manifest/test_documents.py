"""Reading and parsing files: the direct YAML construction agrees with PyYAML's, and the
folder-level shortcut in reading keeps the symlink rules."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from agentops.manifest import load_project
from agentops.manifest.documents import MAX_DEPTH, Reader, _construct, _DuplicateKey, _Loader, parse_yaml
from agentops.manifest.positions import Tree
from agentops.model.problems import Problem
from tests.manifest.conftest import Writer

MANIFEST = "name: {name}\nagent: agent_1\nenvironment_id: env_1\nprompt: hi\n"
BIG = "1" * 5000


def _nested(levels: int) -> str:
    text = "1"
    for level in range(levels):
        text = f"[{text}]" if level % 2 else f"{{k: {text}}}"
    return text


DOCUMENTS = [
    "a: 1\nb: [1, 2, {c: d}]\nc: ~\nd: yes\ne: 1.5\nf: .inf\ng: 0x1F\nh: 1_000\n'': x\n",
    "42",
    "- a\n- {b: c}\n",
    "a: 2024-01-01\n",  # a timestamp: left to PyYAML
    "a: !!binary aGVsbG8=\nb: !!set {x}\n",
    "a: !foo bar\n",
    "a: !!str 12\nb: !!int '7'\nc: !!str {x: 1}\n",
    "b: 2\n<<: {a: 1}\n",  # a merge key
    "=: 1\nb: =\n",
    "[a]: 1\n",
    "1: a\n'1': b\n",
    "1: a\n1.0: b\n",
    "'<<': 1\n'<<': 2\n",
    "a: {b: 1, b: 2}\nc: {d: 1, d: 2}\n",
    # The first problem in breadth-first order wins: the nested duplicate sits deeper than the number.
    f"a: {{b: {{c: 1, c: 2}}}}\nd: [{BIG}]\n",
    f"a: [{BIG}]\nb: {{c: 1, c: 2}}\n",
    f"b: {{c: 1, c: 2}}\na: {BIG}\n",
    f"{BIG}: 1\n",
    # A value PyYAML must build comes before a number that is refused.
    f"a: 2024-01-01\nb: {BIG}\n",
    f"a: {{<<: {{x: {BIG}}}, y: [{BIG}2]}}\n",
    f"a: {_nested(MAX_DEPTH - 1)}\n",
    f"a: {_nested(MAX_DEPTH)}\n",
    f"a: {_nested(MAX_DEPTH + 5)}\nb: [{_nested(MAX_DEPTH)}]\n",
    f"a: 2024-01-01\nb: {_nested(MAX_DEPTH + 1)}\n",
]


def _both(text: str) -> list[tuple[bool, Any]]:
    """Each way of building the document: (direct construction allowed, outcome)."""
    outcomes = []
    for plain in (True, False):
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            outcome: Any = _construct(loader, node, Tree("f.yaml", node), plain)
        except yaml.YAMLError as exc:
            outcome = ("error", str(exc))
        except _DuplicateKey as exc:
            outcome = ("duplicate", exc.key.value, exc.key.start_mark.line, exc.key.start_mark.column)
        finally:
            loader.dispose()
        outcomes.append((plain, outcome))
    return outcomes


@pytest.mark.parametrize("text", DOCUMENTS)
def test_direct_construction_agrees_with_pyyaml(text: str) -> None:
    (_, direct), (_, pyyaml) = _both(text)
    assert repr(direct) == repr(pyyaml)  # repr, not ==: True == 1 == 1.0 would hide a wrong type


def test_the_nesting_limit_is_exact() -> None:
    assert parse_yaml(f"a: {_nested(MAX_DEPTH - 1)}\n", "f.yaml")[1] == []
    _, problems = parse_yaml(f"a: {_nested(MAX_DEPTH)}\n", "f.yaml")
    assert [(p.line, p.message) for p in problems] == [(1, f"nested more than {MAX_DEPTH} levels deep")]


def test_a_duplicate_key_deeper_down_is_found_after_a_refused_number_above_it() -> None:
    _, problems = parse_yaml(f"a: {{b: {{c: 1, c: 2}}}}\nd: [{BIG}]\n", "f.yaml")
    assert len(problems) == 1
    assert "digits" in problems[0].message and problems[0].line == 2


def test_a_manifests_folder_linked_out_of_the_repository_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "a.yaml").write_text(MANIFEST.format(name="a"))
    root = tmp_path / "repo"
    root.mkdir()
    (root / "agentops.yaml").write_text("stack: test\n")
    (root / "deployments").symlink_to(outside)
    loaded = load_project(root)
    # Refused as a folder, before any walk: its files are never listed, let alone read.
    assert [(p.file, p.path, p.message) for p in loaded.problems] == [
        ("agentops.yaml", "manifests", "manifests folder 'deployments' is a symlink that leads out of the repository")]
    assert loaded.manifests == []


def test_a_manifests_folder_linked_inside_the_repository_is_read(project: Writer) -> None:
    root = project({"agentops.yaml": "stack: test\nmanifests: linked\n", "real/a.yaml": MANIFEST.format(name="a")})
    (root / "linked").symlink_to(root / "real")
    loaded = load_project(root)
    assert loaded.problems == []
    assert [(m.file, m.manifest.name) for m in loaded.manifests] == [("linked/a.yaml", "a")]


def test_one_reader_tells_links_out_from_files_in_the_same_folder(project: Writer, tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text(MANIFEST.format(name="o"))
    root = project({"deployments/a.yaml": MANIFEST.format(name="a"), "deployments/c.yaml": MANIFEST.format(name="c")})
    folder = root / "deployments"
    (folder / "b.yaml").symlink_to(outside)
    (folder / "inside.yaml").symlink_to(folder / "a.yaml")
    (folder / "loop.yaml").symlink_to(folder / "loop.yaml")
    reader = Reader(root)
    texts = {name: reader.text(folder / name, name) for name in sorted(os.listdir(folder))}
    assert texts["a.yaml"] == (MANIFEST.format(name="a"), None)
    assert texts["c.yaml"] == (MANIFEST.format(name="c"), None)
    assert texts["inside.yaml"] == (MANIFEST.format(name="a"), None)
    assert texts["b.yaml"] == (None, Problem("b.yaml", 1, 1, "", "is a symlink that resolves outside the repository",
                                             "replace the link with the file itself"))
    assert texts["loop.yaml"][1] is not None and "cannot read file" in texts["loop.yaml"][1].message


def test_the_shortened_resolver_has_nothing_to_skip() -> None:
    # Loader.resolve leaves out path and wildcard resolvers; it is exact only while there are none.
    assert _Loader.yaml_path_resolvers == {}
    assert None not in _Loader.yaml_implicit_resolvers


@pytest.mark.parametrize("text", ["a: [x, '', ~, yes, 'yes', 1, 0x1, 1.5, .inf, 2024-01-01, <<, =, !!str 5, !x y]\n",
                                  "? [k]\n: {a: b}\n", ""])
def test_the_shortened_resolver_tags_as_pyyaml_does(text: str) -> None:
    def tags(loader: yaml.SafeLoader) -> list[str]:
        pending, out = [loader.get_single_node()], []
        while pending:
            node = pending.pop()
            if node is None:
                continue
            out.append(node.tag)
            pending.extend(node.value if isinstance(node, yaml.SequenceNode) else
                           [part for pair in node.value for part in pair] if isinstance(node, yaml.MappingNode) else [])
        loader.dispose()
        return out

    assert tags(_Loader(text)) == tags(yaml.SafeLoader(text))
