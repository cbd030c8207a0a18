"""What the model template writes beyond upstream's, decided here for each model (the template only renders it).

For each field of each generated model, by its JSON name:

  * `masked`: a credential's attribute line, its repr masked (`repr=_parsing.masked`); "" for any other field. A
    field is a credential by its name (the runtime's CREDENTIAL_FIELDS, allOf parts included) or when the model's
    own schema declares it `format: password`;
  * `hidden`: a credential's value is never quoted by the InvalidField its parsing raises;
  * `check`: the types a plain field's value is checked against as it is read (`_parsing.typed`), with `Unset` for
    an optional one; "" where the generator's own parsing constructs the value (models, enums, lists, unions);
  * `list_check`: a list field is checked to be a list before its items are parsed;
  * `expected`: what an InvalidField says the field should have been.

And per model, `legacy`: the legacy spellings its fields are read under too (the runtime's `_parsing.legacy_spellings`:
never a spelling the model declares as a field of its own).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from jinja2.utils import htmlsafe_json_dumps

from codegen.runtime.core import parsing as _parsing
from codegen.runtime.core import vendor_facts
from enterprise3d_devkit.generation.plans import _code, _text

# A plain field's Python base type -> the types its value may have as JSON gives it (a bool is no number).
PLAIN_CHECKS = {"str": "str", "int": "int", "float": "int, float", "bool": "bool", "list": "list"}
LIST_TEMPLATE = "list_property.py.jinja"
PASSWORD_FORMAT = "password"


@dataclass(frozen=True)
class FieldPlan:
    expected: str
    masked: str = ""
    hidden: bool = False
    check: str = ""
    list_check: bool = False


@dataclass(frozen=True)
class ModelPlan:
    fields: dict[str, FieldPlan] = field(default_factory=dict)
    legacy: dict[str, str] = field(default_factory=dict)

    def to_data(self) -> dict[str, Any]:
        return {"fields": {name: asdict(plan) for name, plan in self.fields.items()}, "legacy": self.legacy}


def model_plans(data: Any) -> dict[str, ModelPlan]:
    """Each model of the generator's reading of a spec (`data`: its GeneratorData), by its class name."""
    return {str(model.class_info.name): model_plan(model) for model in data.models}


def model_plan(model: Any) -> ModelPlan:
    properties = [*model.required_properties, *model.optional_properties]
    secret = credential_fields(model)
    fields = {}
    for prop in properties:
        name = _text(prop.name)
        fields[name] = FieldPlan(
            expected=expected(prop),
            masked=masked_attribute(prop) if name in secret else "",
            hidden=name in secret,
            check=plain_check(prop),
            list_check=prop.template == LIST_TEMPLATE,
        )
    return ModelPlan(fields, _parsing.legacy_spellings(tuple(fields)))


def credential_fields(model: Any) -> set[str]:
    """The model's fields that hold credentials: by name, or declared `format: password` in its own schema."""
    named = {
        _text(prop.name)
        for prop in [*model.required_properties, *model.optional_properties]
        if _text(prop.name) in vendor_facts.CREDENTIAL_FIELDS
    }
    declared = getattr(model.data, "properties", None) or {}
    password = {
        _text(name)
        for name, schema in declared.items()
        if _text(getattr(schema, "schema_format", None)) == PASSWORD_FORMAT
    }
    return named | password


def masked_attribute(prop: Any) -> str:
    """A credential field's attribute line: upstream's annotation and default, its repr masked."""
    declared, _, default = _code(prop.to_string()).partition(" = ")
    return f"{declared} = _attrs_field({f'default={default}, ' if default else ''}repr=_parsing.masked)"


def plain_check(prop: Any) -> str:
    """The types `_parsing.typed` checks a plain field's value against ("" when none applies)."""
    check = PLAIN_CHECKS.get(_code(prop.get_base_type_string()), "")
    return f"{check}, Unset" if check and not prop.required else check


def expected(prop: Any) -> str:
    """What a field's value should be, as an InvalidField says it: an enum's values, else its type."""
    values = getattr(prop, "values", None)
    if isinstance(values, dict):
        return "one of " + ", ".join(str(htmlsafe_json_dumps(str(value))) for value in values.values())
    return _code(prop.get_type_string(no_optional=True))
