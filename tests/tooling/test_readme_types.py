"""`make typecheck` runs mypy --strict on README's examples (enterprise3d_devkit.harness.readme_snippets): this shows
the check fails on a wrong example and names its line in README.md. (Here, apart from this_api/test_readme.py, which
the tests of a vendor change run again in a copy of the repository, where mypy would start without its cache.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from enterprise3d_devkit.harness.readme_snippets import snippets, typecheck


def test_the_examples_typecheck_and_a_wrong_one_is_caught(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`make typecheck` runs mypy --strict on every example; an example passing a job id typed `int | str | Unset`
    where an id is expected fails it, naming the README's line."""
    code = next(s.code for s in snippets() if "wait_for_result(job_id" in s.code)
    wrong = tmp_path / "README.md"
    wrong.write_text("```python\n" + code.replace("wait_for_result(job_id", "wait_for_result(queued.id") + "```\n")
    assert typecheck([wrong]) != 0
    assert "README.md:" in capsys.readouterr().out
