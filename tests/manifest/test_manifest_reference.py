"""deployments/README.md's field reference is generated from the manifest schema and kept current."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from types import ModuleType

from agentops.manifest.descriptions import DESCRIPTIONS
from tests.manifest.test_validate import REPO

SCRIPT = REPO / "scripts" / "manifest_reference.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("manifest_reference", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_field_reference_is_up_to_date() -> None:
    result = subprocess.run([sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_a_stale_reference_is_caught_and_every_description_is_in_it() -> None:
    script = _script()
    readme = script.README.read_text(encoding="utf-8")
    section = script.render()
    assert section in readme
    stale = readme.replace("Maximum 500.", "Maximum 400.", 1)
    assert stale != readme and script.updated(stale) == readme
    for model in ("Manifest", "Schedule", "Lifecycle", "GitHubRepositoryResource"):
        for description in DESCRIPTIONS[model].values():
            assert description.replace("|", "\\|") in section, model
