"""Importing the package stays cheap as the spec grows: the top level and the models package load a name only when
it is first used (PEP 562), and type checkers still see every name. Checked in fresh interpreters."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import modelslab_enterprise_3d
from enterprise3d_devkit.harness.calls import method_name
from enterprise3d_devkit.repo.layout import PACKAGE
from modelslab_enterprise_3d import errors, models
from tests.support.spec_cases import OPERATIONS

PROBE = """
import json, sys
before = set(sys.modules)
{code}
loaded = sorted(name for name in set(sys.modules) - before if name.startswith("{package}"))
print(json.dumps({{"loaded": loaded, "httpx": "httpx" in sys.modules}}))
"""


def loaded_by(code: str) -> dict[str, object]:
    script = PROBE.format(code=code, package=PACKAGE)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return dict(json.loads(result.stdout))


def test_importing_the_package_loads_nothing_else() -> None:
    outcome = loaded_by(f"import {PACKAGE}")
    assert outcome == {"loaded": [PACKAGE], "httpx": False}


def test_one_call_loads_its_operation_and_its_models_only() -> None:
    op = OPERATIONS[0]
    code = f"""
import httpx
from {PACKAGE} import Enterprise3D
from tests.support.high_level import call_method, transport_client
from tests.support.contract_checks import Recorder
from tests.support.spec_cases import OPERATIONS, SPEC
before = set(sys.modules)
call_method(transport_client(Recorder(SPEC).handle), OPERATIONS[0])
"""
    loaded = loaded_by(code)["loaded"]
    assert isinstance(loaded, list)
    operations = [name for name in loaded if f"{PACKAGE}.api." in name and name.count(".") == 3]
    assert operations == [op.module], "only the called operation's module"
    other = [f"{PACKAGE}.api.{o.module.split('.')[-2]}.{method_name(o)}" for o in OPERATIONS if o is not op]
    assert not set(other) & set(loaded)


def test_every_name_is_still_there_for_users_and_type_checkers() -> None:
    assert set(errors.__all__) <= set(modelslab_enterprise_3d.__all__)
    for name in modelslab_enterprise_3d.__all__:
        assert getattr(modelslab_enterprise_3d, name) is not None, name
    for name in models.__all__:
        assert getattr(models, name).__name__ == name
    assert set(dir(models)) >= set(models.__all__)
    # Type checkers see every model through an import under `if TYPE_CHECKING:` (read from the syntax tree: the
    # formatter may wrap a long name's import over several lines).
    tree = ast.parse(Path(models.__file__ or "").read_text(encoding="utf-8"))
    guarded = [
        node
        for node in tree.body
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"
    ]
    assert guarded, "the models module imports its models for type checkers"
    imported = {
        alias.asname or alias.name
        for block in guarded
        for node in ast.walk(block)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert set(models.__all__) <= imported
