"""`make lint` checks the GitHub workflows: their structure against the workflow schema (check-jsonschema), their
security (zizmor). A workflow with a misspelt key fails it, naming the file."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.support.repo_copies import make


@pytest.mark.pipeline
def test_the_workflows_pass_make_lint_and_a_misspelt_key_fails_it(repo: Path) -> None:
    workflows = sorted((repo / ".github" / "workflows").glob("*.yml"))
    assert workflows
    workflow = yaml.safe_load(workflows[0].read_text(encoding="utf-8"))
    job = next(iter(workflow["jobs"].values()))
    job["runs_on"] = job.pop("runs-on")  # a misspelt key: GitHub would refuse the workflow
    broken = workflows[0].with_name("broken.yml")
    broken.write_text(yaml.safe_dump(workflow, sort_keys=False), encoding="utf-8")
    result = make(repo, "lint")
    assert result.returncode != 0
    assert "broken.yml" in result.stdout + result.stderr
    broken.unlink()
    result = make(repo, "lint")
    assert result.returncode == 0, result.stdout + result.stderr
