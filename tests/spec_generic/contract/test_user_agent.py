"""Every request the generated client sends says what it is: `<distribution>/<version> python/<x.y> httpx/<x.y.z>`,
the version being the installed distribution's (pyproject.toml's); a User-Agent given to the client wins."""

from __future__ import annotations

import sys
from importlib.metadata import version

import httpx
import pytest

import modelslab_enterprise_3d
from enterprise3d_devkit.repo.layout import DISTRIBUTION
from enterprise3d_devkit.spec.operations import Operation
from tests.support.contract_checks import Recorder, call, call_kwargs, module_for, variants_for
from tests.support.spec_cases import OPERATIONS, SPEC, op_id

PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"
EXPECTED = f"{DISTRIBUTION}/{version(DISTRIBUTION)} python/{PYTHON} httpx/{httpx.__version__}"


def test_the_package_version_is_the_distributions() -> None:
    assert modelslab_enterprise_3d.__version__ == version(DISTRIBUTION)


@pytest.mark.parametrize("op", OPERATIONS, ids=op_id)
def test_every_request_carries_the_user_agent(op: Operation) -> None:
    module = module_for(op)
    kwargs, _ = call_kwargs(op, module)
    for variant in variants_for(op):
        recorder = Recorder(SPEC)
        call(variant, module, recorder.client(), kwargs)
        assert recorder.requests[0].headers["user-agent"] == EXPECTED
    recorder = Recorder(SPEC)
    call("sync_detailed", module, recorder.client(headers={"User-Agent": "mine/1"}), kwargs)
    assert recorder.requests[0].headers["user-agent"] == "mine/1"
