"""The generated classes are attrs classes, as openapi-python-client writes them: attrs.has, attrs.evolve and
attrs.asdict work on every model and on both clients, and a copy leaves the original alone."""

from __future__ import annotations

import enum
import importlib
from typing import Any

import attrs
import pytest

from enterprise3d_devkit.repo.layout import PACKAGE
from enterprise3d_devkit.spec.instances import response_instance
from enterprise3d_devkit.spec.operations import Operation
from modelslab_enterprise_3d import AuthenticatedClient, Client
from modelslab_enterprise_3d.types import File, Response, Unset
from tests.support.contract_checks import model_class
from tests.support.spec_cases import WITH_MODEL, case_ids

MODELS = importlib.import_module(f"{PACKAGE}.models")
MODEL_NAMES = [name for name in MODELS.__all__ if not issubclass(getattr(MODELS, name), enum.Enum)]


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_every_model_is_an_attrs_class(name: str) -> None:
    assert attrs.has(getattr(MODELS, name)), f"{name} is not an attrs class"


def test_the_clients_and_the_shared_types_are_attrs_classes() -> None:
    for cls in (Client, AuthenticatedClient, File, Response):
        assert attrs.has(cls), cls.__name__


def another_value(value: Any) -> Any:
    """A different value of the same kind, for an evolved copy (NotImplemented: none to hand)."""
    if isinstance(value, enum.Enum):
        others = [member for member in type(value) if member != value]
        return others[0] if others else NotImplemented
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return value + 1
    if isinstance(value, str):
        return value + "-evolved"
    if isinstance(value, list):
        return [*value, *value] if value else NotImplemented
    return NotImplemented


@pytest.mark.parametrize(("op", "status"), WITH_MODEL, ids=case_ids(WITH_MODEL))
def test_evolve_and_asdict_work_on_a_parsed_model_and_leave_it_alone(op: Operation, status: int) -> None:
    cls: Any = model_class(op.responses[status].model or "")
    original = cls.from_dict(response_instance(op, status))
    before = original.to_dict()
    changes = {}
    for field in attrs.fields(cls):
        value = getattr(original, field.name)
        if field.init and not isinstance(value, Unset) and another_value(value) is not NotImplemented:
            changes[field.alias] = another_value(value)
    # (a model may have no field another value can be given to: one-value enums, nested models, none set)
    if changes:
        copy = attrs.evolve(original, **changes)
        assert copy != original and original.to_dict() == before, "the original is left alone"
        assert all(getattr(copy, attrs.fields_dict(cls)[alias].name) == value for alias, value in changes.items())
    as_dict = attrs.asdict(original, recurse=False)
    assert {name for name in as_dict} == {field.name for field in attrs.fields(cls)}


def test_evolve_works_on_a_client_and_leaves_it_alone() -> None:
    client = Client(base_url="https://h.test", headers={"X-A": "1"})
    copy = attrs.evolve(client, headers={"X-B": "2"}, strict_response_validation=True)
    assert copy.strict_response_validation and not client.strict_response_validation
    assert copy.get_httpx_client().headers["X-B"] == "2" and "X-B" not in client.get_httpx_client().headers
    authenticated = AuthenticatedClient(base_url="https://h.test", token="sk-evolve-secret")
    evolved = attrs.evolve(authenticated, prefix="Token")
    assert evolved.prefix == "Token" and authenticated.prefix == "Bearer"
    assert "sk-evolve-secret" not in repr(evolved), "the token stays masked in a copy's repr"
