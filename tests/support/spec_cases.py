"""The spec under test, read once per test process, and the cases enumerated from it.

Parametrization happens at collection time, before fixtures exist, so the case lists are module constants;
tests/conftest.py serves the same objects as the session fixtures `spec` and `operations`.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

from enterprise3d_devkit.generation.plans import ClientPlan
from enterprise3d_devkit.generation.template_data import client_plan
from enterprise3d_devkit.repo.layout import FIELD_PREFIX, OPERATION_TABLE
from enterprise3d_devkit.spec.loading import object_schema
from enterprise3d_devkit.spec.operations import Operation, operations
from enterprise3d_devkit.spec.overlay import effective_spec
from modelslab_enterprise_3d.core.vendor_facts import CREDENTIAL_FIELDS

SPEC: dict[str, Any] = effective_spec()  # openapi.yaml with openapi.overlay.yaml applied, if any


def python_name(field: str) -> str:
    """A JSON field's Python name (an argument, an attribute), as the generator names it ("type" is `type_`)."""
    from openapi_python_client.schema.untrusted_string import UntrustedString
    from openapi_python_client.strings import PythonIdentifier

    return str(PythonIdentifier(UntrustedString(field), prefix=FIELD_PREFIX))


@functools.cache
def plans() -> ClientPlan:
    """The operation plans generation made the client from (what its methods are, take and return)."""
    return client_plan(SPEC, OPERATION_TABLE)


def _with_generated_models(op: Operation) -> Operation:
    """`op` with each response's model as the generator named it (its own reading: a response shared by several
    operations and statuses may be one model)."""
    plan = plans().by_label()[op.label]
    named, items = plan.response_models, plan.response_item_models
    responses = {
        s: dataclasses.replace(r, model=named.get(s, r.model), item_model=items.get(s)) for s, r in op.responses.items()
    }
    return dataclasses.replace(op, responses=responses)


OPERATIONS: list[Operation] = [_with_generated_models(op) for op in operations(SPEC)]
# Every (operation, documented status) pair.
DOCUMENTED: list[tuple[Operation, int]] = [(op, status) for op in OPERATIONS for status in sorted(op.responses)]
# Those that document a body.
WITH_BODY: list[tuple[Operation, int]] = [(op, s) for op, s in DOCUMENTED if op.responses[s].schema is not None]
# Those whose body parses into a generated model.
WITH_MODEL: list[tuple[Operation, int]] = [(op, s) for op, s in DOCUMENTED if op.responses[s].model]


def op_id(op: Operation) -> str:
    """A test id for an operation: 'POST/clear_queue'."""
    return op.label.replace(" ", "")


def case_id(case: tuple[Any, ...]) -> str:
    """A test id for (operation, status, *more): 'POST/clear_queue-200-more'."""
    return "-".join([op_id(case[0]), *(str(part) for part in case[1:])])


def case_ids(cases: list[tuple[Any, ...]]) -> list[str]:
    """Test ids for a multi-argument parametrize (whose `ids` callable would see one argument at a time)."""
    return [case_id(case) for case in cases]


# A value of another JSON type than the schema's, per simple type.
WRONG_TYPE: dict[str, Any] = {
    "string": 5,
    "integer": "five",
    "number": "five",
    "boolean": "yes",
    "array": "x",
    "object": 5,
}


def secret_fields(schema: dict[str, Any] | None) -> list[str]:
    """The request fields that carry credentials: the vendor's credential names (the key among them), and any
    `format: password`; allOf parts included."""
    return [
        name
        for name, prop in (object_schema(schema or {}).get("properties") or {}).items()
        if name in CREDENTIAL_FIELDS or (isinstance(prop, dict) and prop.get("format") == "password")
    ]
