"""Per-operation plans: everything the high-level client and the command line decide about an operation, computed
once in Python from the generator's own reading of the spec (openapi-python-client's parser, its objects and its
naming rules), handed to the templates as data (template_data.py) and read by the tests.

A plan says what an operation's method is called and takes (path parameters positionally; a JSON object body's
fields as keyword arguments, or the whole `body` when a field's name clashes with a parameter; the API key filled
in by the client), what it returns (a `oneOf`'s error variants left out: they raise), whether it is retried,
whether it generates (then its `<name>_and_wait` twin, and the wait method of the operation that fetches its
result), and its command-line options. The templates only render plans.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from jinja2.utils import htmlsafe_json_dumps

from codegen.runtime.core import vendor_facts
from enterprise3d_devkit.generation import docstrings
from enterprise3d_devkit.generation.generator_input import for_generator
from enterprise3d_devkit.repo.layout import FIELD_PREFIX, GENERATOR_CONFIG

# Names a method takes besides the operation's own: a body field of one of these names would shadow them, so the
# method takes the whole `body` instead. The wait names only matter for a generating operation (its _and_wait twin).
METHOD_NAMES = ("self", "extra_body")
WAIT_NAMES = ("timeout", "on_update", "on_queued")
# What `wait_for_result` is called when several operations fetch results: `wait_for_<fetching method>`.
SINGLE_WAIT_NAME = "wait_for_result"


@dataclass(frozen=True)
class Parameter:
    """One parameter of a method: its name, its annotation (Python code), its default ("UNSET", or None: none),
    the expression that passes it on to the model or the request (an enum's plain value becomes its member)."""

    name: str
    annotation: str
    default: str | None = None
    value: str = ""
    doc: str = ""  # the field's docstring line (the generator's), for the method's Args


@dataclass(frozen=True)
class Imported:
    """A class the method imports when called: `from .models.<module> import <name>`."""

    module: str
    name: str


@dataclass(frozen=True)
class Option:
    """One command-line option (or positional argument: a flag without dashes)."""

    flag: str
    dest: str
    kind: str  # the runtime's _cli kinds: str, int, float, bool, json (an array, an object), secret
    required: bool
    choices: tuple[str, ...] = ()  # an enum's values (as text), of the option's kind
    default: str | None = None
    help: str = ""
    model: str = ""  # a json option's object model (the object's, or its array's items'): built from the JSON
    field: str = ""  # the body field's name in the spec, where it is not `dest` (the MCP schema reads its limits)


# An option's keys left out of the command-line table when they say nothing (the runtime's _cli reads them so).
_LEFT_OUT_WHEN: dict[Any, tuple[str, ...]] = {
    (): ("choices",),
    None: ("default",),
    "": ("help", "model", "field"),
    False: ("required",),
}


@dataclass(frozen=True)
class OperationPlan:
    label: str  # "POST /path", as the operation table names it
    name: str  # the method (and the generated module) name
    tag: str  # the generated package of its module: api/<tag>/<name>.py
    summary: str
    description: str
    positional: tuple[Parameter, ...]  # path parameters
    keywords: tuple[Parameter, ...]  # after `*`: the body or its fields, the other parameters, extra_body
    passed_on: tuple[str, ...]  # how a wait method hands its arguments on ("id", "prompt=prompt", ...)
    body_model: Imported | None  # the body's model, built from the fields (None: no body, or a whole `body`)
    whole_body: bool  # the method takes `body` itself
    has_key: bool  # the body's API key field, which the client fills in
    key_in: tuple[str, ...]  # where the operation's security scheme puts the key (location, name, prefix); () none
    effect: str  # "generates" (a paid generation), "changes" (the server's state; or not reviewed yet), "reads"
    model_required: tuple[Parameter, ...]  # the fields passed to the model always
    model_optional: tuple[Parameter, ...]  # the fields passed to it when given
    request_required: tuple[str, ...]  # query/header/cookie parameters passed always
    request_optional: tuple[str, ...]  # ... and when given
    enum_imports: tuple[Imported, ...]
    fields: tuple[Parameter, ...]  # the body fields taken as keyword arguments, in the spec's order (for Args)
    returns: str  # the method's return annotation
    success: str  # what a wait on this (fetching) operation returns: the variant that can say success
    success_statuses: tuple[tuple[int, int], ...]
    retry: str  # safe | refused | never (the reviewed operation table)
    body_schema: str  # the JSON body's schema as the runtime checks it (JSON text; "" without one)
    generates: bool
    and_wait: str | None  # <name>_and_wait, for a generating operation
    and_save: str | None  # <name>_and_save (submit, wait, download into a folder checked first), for one
    format_field: str | None  # the argument naming the model file's format, when the operation takes one
    wait: str | None  # the wait method on its result's job id, for a generating operation
    fetch: str | None  # the method that fetches its result, for a generating operation
    command: str  # the command line's subcommand
    options: tuple[Option, ...]
    imports: tuple[str, ...]  # the import lines its annotations need (for type checkers)
    response_models: dict[int, str] = field(default_factory=dict)  # status -> the model its body parses into
    # status -> the model of each item, where the body is a top-level array of models (the answer is a list of them)
    response_item_models: dict[int, str] = field(default_factory=dict)
    docstring: str = ""  # its method's (docstrings.method)
    and_wait_docstrings: tuple[str, str] = ("", "")  # its <name>_and_wait's, sync then async
    and_save_docstrings: tuple[str, str] = ("", "")  # its <name>_and_save's, sync then async

    @property
    def constant(self) -> str:
        """The module constant holding its runtime Operation."""
        return f"_{self.name.upper()}"


@dataclass(frozen=True)
class WaitPlan:
    """A method that waits on a job's id: wait_for_result(id), by polling the fetching operation."""

    name: str
    fetch: str  # the fetching operation's method
    fetch_label: str
    success: str
    answers: str  # what every poll may answer (on_update's argument)
    docstrings: tuple[str, str] = ("", "")  # sync, then async


@dataclass(frozen=True)
class ClientPlan:
    operations: tuple[OperationPlan, ...]
    waits: tuple[WaitPlan, ...]
    webhooks: tuple[Imported, ...]
    imports: tuple[str, ...]  # every import line the methods' annotations need, sorted
    docstring: str = ""  # Enterprise3D's
    webhook_docstring: str = ""  # parse_webhook's (when the spec has payloads)

    def job_results(self) -> dict[str, str]:
        """Each generating operation's label -> the label of the one that fetches its job's result."""
        waits = {wait.fetch: wait.fetch_label for wait in self.waits}
        return {plan.label: waits[plan.fetch] for plan in self.operations if plan.generates and plan.fetch in waits}

    def by_label(self) -> dict[str, OperationPlan]:
        return {plan.label: plan for plan in self.operations}

    def method_names(self) -> set[str]:
        """Every method of the high-level clients that the spec gives them."""
        names = {plan.name for plan in self.operations}
        twins = {twin for plan in self.operations for twin in (plan.and_wait, plan.and_save) if twin}
        return names | twins | {w.name for w in self.waits}

    def operations_table(self) -> list[dict[str, Any]]:
        """The operations' table as plain data: per operation its command, its MCP tool, its request and the request
        that fetches its job's result, its effect and its options (the command line, the MCP server and the mock
        read it)."""
        results = self.job_results()
        return [
            {
                "command": plan.command,
                "method": plan.name,
                "tool": plan.name,
                "request": plan.label,
                "job_result": results.get(plan.label),
                "summary": plan.summary,
                # the spec's description, where it says more than the summary (an MCP tool's description)
                **({"description": plan.description} if plan.description not in ("", plan.summary) else {}),
                "effect": plan.effect,
                "waits": plan.and_wait,
                "options": [
                    {key: value for key, value in asdict(option).items() if key not in _LEFT_OUT_WHEN.get(value, ())}
                    for option in plan.options
                ],
            }
            for plan in self.operations
        ]

    def to_data(self) -> dict[str, Any]:
        """The plans as the templates read them (plain values; `constant` included)."""
        return {
            "operations": [{**asdict(plan), "constant": plan.constant} for plan in self.operations],
            "waits": [asdict(wait) for wait in self.waits],
            "webhooks": [asdict(hook) for hook in self.webhooks],
            "imports": list(self.imports),
            "operations_table": _python_literal(self.operations_table()),
            "client_docstring": self.docstring,
            "webhook_docstring": self.webhook_docstring,
        }


def _python_literal(value: Any, indent: int = 0) -> str:
    """`value` (plain data) as Python source, one item a line, so that the generated table reads as data."""
    pad, inner = "    " * indent, "    " * (indent + 1)
    if isinstance(value, dict) and value:
        items = [f"{inner}{json.dumps(k)}: {_python_literal(v, indent + 1)}," for k, v in value.items()]
        return "{\n" + "\n".join(items) + f"\n{pad}}}"
    if isinstance(value, list) and value:
        if all(isinstance(item, str) for item in value):
            return "(" + ", ".join(repr(item) for item in value) + ("," if len(value) == 1 else "") + ")"
        return "(\n" + "\n".join(f"{inner}{_python_literal(item, indent + 1)}," for item in value) + f"\n{pad})"
    if isinstance(value, list):
        return "()"
    return repr(value)


# ---- reading the generator's objects ---------------------------------------------------------------------------


def _text(value: Any) -> str:
    """A text of the spec (the generator's UntrustedString, or a plain string) as a plain string; "" for none."""
    if value is None:
        return ""
    return str(value.get_untrusted_value()) if hasattr(value, "get_untrusted_value") else str(value)


def _code(value: Any) -> str:
    """The generator's PythonCode as source text."""
    return str(value.as_unembedded_code()) if hasattr(value, "as_unembedded_code") else str(value)


def _is_enum(prop: Any) -> bool:
    return getattr(prop, "values", None) is not None and hasattr(prop, "class_info")


def _model_fields(prop: Any) -> list[Any] | None:
    """An object model's properties (required first, as the generator orders them); None for anything else."""
    required = getattr(prop, "required_properties", None)
    if required is None:
        return None
    return [*required, *(getattr(prop, "optional_properties", None) or [])]


def _status_values(model: Any) -> list[str] | None:
    """The values an object model's `status` field can take, when it is an enum (else None)."""
    for field_ in _model_fields(model) or []:
        if _text(field_.name) == "status" and _is_enum(field_):
            return [str(value) for value in field_.values.values()]
    return None


def is_error_model(model: Any) -> bool:
    """Whether a model is the vendor's error body: its `status` can only say the operation failed."""
    values = _status_values(model)
    return values is not None and all(value in vendor_facts.ERROR_STATUSES for value in values)


def _variants(prop: Any) -> list[Any]:
    return list(getattr(prop, "inner_properties", None) or [prop])


def _success_responses(endpoint: Any) -> Iterator[Any]:
    for response in endpoint.responses.patterns:
        low, high = response.status_code.range
        if low >= 200 and high <= 299:
            yield response


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def returned_types(endpoint: Any) -> list[str]:
    """What a successful call returns: each 2xx answer's type, a oneOf's error variants left out (they raise); a
    response without a body (typed Any by the generator) returns None."""
    types: list[str] = []
    for response in _success_responses(endpoint):
        variants = _variants(response.prop)
        kept = [variant for variant in variants if not is_error_model(variant)] or variants
        types += ["None" if (t := _code(v.get_type_string(no_optional=True))) == "Any" else t for v in kept]
    return _unique(types) or ["None"]


def success_type(endpoint: Any) -> str:
    """What a wait on this fetching operation returns: the first variant whose `status` can say the vendor's
    success value; all of the 2xx answers' types when none can."""
    every: list[str] = []
    for response in _success_responses(endpoint):
        for variant in _variants(response.prop):
            type_ = _code(variant.get_type_string(no_optional=True))
            if vendor_facts.SUCCESS_STATUS in (_status_values(variant) or []):
                return type_
            every.append(type_)
    return " | ".join(_unique(every))


def _literal(value: Any) -> str:
    return str(htmlsafe_json_dumps(value)) if isinstance(value, str) else str(value)


def argument_annotation(prop: Any) -> str:
    """A body field's annotation: an enum also takes its plain values (output_format="glb"), as their Literal;
    `| Unset` when it may be left out."""
    annotation = _code(prop.get_type_string(no_optional=True))
    if _is_enum(prop):
        annotation += " | Literal[" + ", ".join(_literal(value) for value in prop.values.values()) + "]"
    if not prop.required or prop.default is not None:
        annotation += " | Unset"
    return annotation


def argument_value(prop: Any) -> str:
    """The expression that hands a field's argument to the model: a plain enum value becomes its member."""
    name = str(prop.python_name)
    if not _is_enum(prop):
        return name
    member = f"{prop.class_info.name}({name})"
    return member if prop.required and prop.default is None else f"UNSET if isinstance({name}, Unset) else {member}"


def _required(prop: Any) -> bool:
    return bool(prop.required) and prop.default is None


def _enum_of(prop: Any) -> Any:
    """The enum a field takes: itself, or the enum of a nullable union."""
    if _is_enum(prop):
        return prop
    return next((inner for inner in getattr(prop, "inner_properties", None) or [] if _is_enum(inner)), None)


def _is_array(prop: Any) -> bool:
    if getattr(prop, "inner_property", None) is not None and _code(prop.get_base_type_string()).startswith("list["):
        return True
    return any(_is_array(inner) for inner in getattr(prop, "inner_properties", None) or [])


def option_model(prop: Any) -> str:
    """The object model a field is (or its array's items are), by class name; "" for anything else."""
    from openapi_python_client.parser.properties import ModelProperty

    inner = getattr(prop, "inner_property", None) if _is_array(prop) else prop
    return str(inner.class_info.name) if isinstance(inner, ModelProperty) else ""


def enum_kind(enum: Any) -> str:
    """The command line's kind of an enum's values, by the generator's reading of the schema's type: an integer
    enum's values are given (and checked) as integers."""
    return "int" if enum.value_type is int else "str"


def option_kind(prop: Any) -> str:
    """The command line's kind of a parameter or field: an array or an object model is written as JSON; other
    non-scalar types as text."""
    if _is_array(prop) or option_model(prop):
        return "json"
    inners = [i for i in getattr(prop, "inner_properties", None) or [] if _code(i.get_base_type_string()) != "None"]
    if len(inners) == 1:  # a nullable field: its value's kind (null is the option left out)
        return option_kind(inners[0])
    base = _code(prop.get_base_type_string())
    return base if base in ("int", "float", "bool", "str") else "str"


def _imports(prop: Any) -> list[str]:
    return [*prop.get_imports(prefix="."), *prop.get_lazy_imports(prefix=".")]


# ---- the plans -------------------------------------------------------------------------------------------------


@dataclass
class _Body:
    """What a method does with its operation's request body."""

    whole: Any = None  # the body the method takes as `body` (none: no body, or its fields are arguments)
    model: Any = None  # the body's object model, built from the fields
    fields: list[Any] = field(default_factory=list)
    has_key: bool = False


def _body(endpoint: Any, taken: set[str]) -> _Body:
    """A JSON object body's fields become keyword arguments (allOf included: the generator merges its parts into
    one model), the API key apart; on a name clash the method takes the whole body."""
    if len(endpoint.bodies) != 1:
        return _Body(whole=endpoint.bodies[0] if endpoint.bodies else None)
    body = endpoint.bodies[0]
    properties = _model_fields(body.prop) if _text(body.body_type.value) == "json" else None
    if properties is None:
        return _Body(whole=body)
    fields = [prop for prop in properties if _text(prop.name) != vendor_facts.API_KEY_FIELD]
    if any(str(prop.python_name) in taken for prop in fields):
        return _Body(whole=body)
    return _Body(model=body.prop, fields=fields, has_key=len(fields) < len(properties))


def response_models(endpoint: Any) -> dict[int, str]:
    """Each documented status whose body the generator parses into one object model -> that model's class (the
    generator's name for it: a shared response's model is shared)."""
    models: dict[int, str] = {}
    for response in endpoint.responses.patterns:
        low, high = response.status_code.range
        if low == high and _model_fields(response.prop) is not None and hasattr(response.prop, "class_info"):
            models[low] = str(response.prop.class_info.name)
    return models


def response_item_models(endpoint: Any) -> dict[int, str]:
    """Each documented status whose body the generator parses into a list of one object model -> that model's class
    (a top-level array answer)."""
    models: dict[int, str] = {}
    for response in endpoint.responses.patterns:
        low, high = response.status_code.range
        items = getattr(response.prop, "inner_property", None)
        if low == high and items is not None and _model_fields(items) is not None and hasattr(items, "class_info"):
            models[low] = str(items.class_info.name)
    return models


def _label(endpoint: Any) -> str:
    return f"{_text(endpoint.method).upper()} {_text(endpoint.path)}"


def operation_plan(
    endpoint: Any,
    tag: str,
    table: TableFacts,
    wait: str | None,
    fetch: str | None,
) -> OperationPlan:
    from openapi_python_client.strings import PythonIdentifier

    label = _label(endpoint)
    name = str(PythonIdentifier(endpoint.name, FIELD_PREFIX))
    generates = label in table.results and fetch is not None
    path_parameters = list(endpoint.path_parameters)
    others = [*endpoint.query_parameters, *endpoint.header_parameters, *endpoint.cookie_parameters]
    taken = {*METHOD_NAMES, *(WAIT_NAMES if generates else ()), *(str(p.python_name) for p in path_parameters + others)}
    body = _body(endpoint, taken)
    body_schema = table.body_schemas.get(label, "")

    fields = [
        Parameter(
            str(prop.python_name),
            argument_annotation(prop),
            None if _required(prop) else "UNSET",
            argument_value(prop),
            str(prop.to_docstring()),
        )
        for prop in body.fields
    ]
    keywords: list[Parameter] = []
    if body.whole is not None:
        keywords.append(
            Parameter("body", _code(body.whole.prop.get_type_string()), None if body.whole.prop.required else "UNSET")
        )
    keywords += [f for f in fields if f.default is None] + [f for f in fields if f.default is not None]
    for prop in others:
        annotation = _code(prop.get_type_string())
        if _required(prop):
            keywords.append(Parameter(str(prop.python_name), annotation))
        else:
            keywords.append(
                Parameter(str(prop.python_name), annotation + (" | Unset" if prop.required else ""), "UNSET")
            )
    if body_schema:
        keywords.append(Parameter("extra_body", "Mapping[str, object] | None", "None"))

    passed_on = [str(p.python_name) for p in path_parameters]
    passed_on += ["body=body"] if body.whole is not None else []
    passed_on += [f"{n}={n}" for n in [f.name for f in fields] + [str(p.python_name) for p in others]]
    passed_on += ["extra_body=extra_body"] if body_schema else []

    imports = [line for prop in path_parameters + others + body.fields for line in _imports(prop)]
    imports += _imports(body.whole.prop) if body.whole is not None else []
    imports += [line for response in _success_responses(endpoint) for line in _imports(response.prop)]

    return OperationPlan(
        label=label,
        name=name,
        tag=tag,
        summary=_text(endpoint.summary) or str(endpoint.name),
        description=_text(endpoint.description),
        positional=tuple(Parameter(str(p.python_name), _code(p.get_type_string())) for p in path_parameters),
        keywords=tuple(keywords),
        passed_on=tuple(passed_on),
        body_model=Imported(body.model.class_info.module_name, body.model.class_info.name) if body.model else None,
        whole_body=body.whole is not None,
        has_key=body.has_key,
        key_in=tuple(table.key_placements.get(label, ())),
        effect="generates" if generates else "reads" if label in table.reads else "changes",
        model_required=tuple(f for f in fields if f.default is None),
        model_optional=tuple(f for f in fields if f.default is not None),
        request_required=tuple(str(p.python_name) for p in others if _required(p)),
        request_optional=tuple(str(p.python_name) for p in others if not _required(p)),
        enum_imports=tuple(Imported(p.class_info.module_name, p.class_info.name) for p in body.fields if _is_enum(p)),
        fields=tuple(fields),
        returns=" | ".join(returned_types(endpoint)),
        success=success_type(endpoint),
        success_statuses=tuple((r.status_code.range[0], r.status_code.range[1]) for r in _success_responses(endpoint)),
        retry="safe" if label in table.retry_safe else "refused" if label in table.retry_refused else "never",
        body_schema=body_schema,
        generates=generates,
        and_wait=f"{name}_and_wait" if generates else None,
        and_save=f"{name}_and_save" if generates else None,
        format_field=vendor_facts.FORMAT_FIELD if any(f.name == vendor_facts.FORMAT_FIELD for f in fields) else None,
        wait=wait if generates else None,
        fetch=fetch if generates else None,
        command=name.replace("_", "-"),
        options=tuple(_options(path_parameters, [*others, *body.fields], table, label in table.results.values())),
        imports=tuple(imports),
        response_models=response_models(endpoint),
        response_item_models=response_item_models(endpoint),
    )


def _options(
    path_parameters: Sequence[Any], fields: Sequence[Any], table: TableFacts, fetches: bool = False
) -> Iterator[Option]:
    """Path parameters positionally, then each query or header parameter and body field as --its-name: an enum (or
    a nullable one) of its values' kind with its values as the choices and its default, a credential read from the
    environment or standard input (never an argument), an array JSON."""
    for param in path_parameters:
        # (a path parameter the spec leaves undescribed: a fetching operation's is the job's id)
        fallback = "the job's id, as the generating command printed it" if fetches else f"the {_text(param.name)}"
        text = _text(param.description) or fallback
        yield Option(str(param.python_name), str(param.python_name), option_kind(param), True, help=text)
    for prop in fields:
        enum = _enum_of(prop)
        default = str(prop.default.raw_value) if prop.default is not None else None
        if default is None and enum is not None:
            default = table.enum_defaults.get(str(enum.class_info.name))
        secret = _text(prop.name) in vendor_facts.CREDENTIAL_FIELDS
        kind = "secret" if secret else enum_kind(enum) if enum is not None else option_kind(prop)
        yield Option(
            "--" + str(prop.python_name).replace("_", "-"),
            str(prop.python_name),
            kind,
            _required(prop),
            tuple(str(value) for value in enum.values.values()) if enum is not None else (),
            default,
            _text(prop.description),
            "" if secret else option_model(prop),
            _text(prop.name) if _text(prop.name) != str(prop.python_name) else "",
        )


@dataclass(frozen=True)
class TableFacts:
    """What the plans need beyond the generator's reading: the reviewed operation table's columns (labels), each
    operation's checked body schema, and the defaults of component enums (template_data computes them)."""

    retry_safe: frozenset[str] = frozenset()
    retry_refused: frozenset[str] = frozenset()
    reads: frozenset[str] = frozenset()  # the operations reviewed as reading only (any other may change state)
    results: dict[str, str] = field(default_factory=dict)  # generating label -> the label that fetches its result
    body_schemas: dict[str, str] = field(default_factory=dict)
    key_placements: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # label -> a security scheme's
    enum_defaults: dict[str, str] = field(default_factory=dict)
    webhook_schemas: tuple[str, ...] = ()
    default_base_url: str = ""  # the spec's server, as the client's default


def client_plan(data: Any, facts: TableFacts) -> ClientPlan:
    """The plans of every operation of the generator's reading of a spec (`data`: its GeneratorData)."""
    from openapi_python_client.strings import PythonIdentifier

    endpoints = {
        _label(endpoint): (tag, endpoint)
        for tag, collection in data.endpoint_collections_by_tag.items()
        for endpoint in collection.endpoints
    }
    fetch_labels = _unique(label for label in facts.results.values() if label in endpoints)
    waits = {
        fetch: WaitPlan(
            SINGLE_WAIT_NAME
            if len(set(facts.results.values())) == 1
            else f"wait_for_{PythonIdentifier(endpoints[fetch][1].name, FIELD_PREFIX)}",
            str(PythonIdentifier(endpoints[fetch][1].name, FIELD_PREFIX)),
            fetch,
            success_type(endpoints[fetch][1]),
            " | ".join(returned_types(endpoints[fetch][1])),
        )
        for fetch in fetch_labels
    }
    operations = []
    for label, (tag, endpoint) in endpoints.items():
        wait = waits.get(facts.results.get(label, ""))
        operations.append(
            operation_plan(endpoint, tag, facts, wait.name if wait else None, wait.fetch if wait else None)
        )
    operations = [_with_docstrings(plan, waits.get(facts.results.get(plan.label, ""))) for plan in operations]
    waits = {
        label: replace(wait, docstrings=(docstrings.wait(wait, False), docstrings.wait(wait, True)))
        for label, wait in waits.items()
    }
    webhooks = tuple(
        Imported(model.class_info.module_name, model.class_info.name)
        for model in data.models
        if _text(model.name) in facts.webhook_schemas
    )
    imports = [f"from .models.{hook.module} import {hook.name}" for hook in webhooks]
    imports += [line for plan in operations for line in plan.imports]
    kept = sorted(line for line in set(imports) if not line.startswith(("from .types ", "from typing ")))
    return ClientPlan(
        tuple(operations),
        tuple(waits.values()),
        webhooks,
        tuple(kept),
        docstrings.client(
            _text(data.title),
            facts.default_base_url,
            any(p.has_key for p in operations),
            {p.key_in for p in operations if p.key_in},
        ),
        docstrings.parse_webhook([hook.name for hook in webhooks]) if webhooks else "",
    )


def _with_docstrings(plan: OperationPlan, wait: WaitPlan | None) -> OperationPlan:
    if plan.generates and wait is not None:
        waiting = (docstrings.and_wait(plan, wait, False), docstrings.and_wait(plan, wait, True))
        saving = (docstrings.and_save(plan, wait, False), docstrings.and_save(plan, wait, True))
        return replace(plan, docstring=docstrings.method(plan), and_wait_docstrings=waiting, and_save_docstrings=saving)
    return replace(plan, docstring=docstrings.method(plan))


def generator_data(spec: dict[str, Any], config: Path = GENERATOR_CONFIG, rewrite: bool = True) -> Any:
    """openapi-python-client's reading of a spec (what it generates from: for_generator(spec); `rewrite=False`: the
    spec as it is), with its config."""
    from openapi_python_client.config import Config, ConfigFile, MetaType
    from openapi_python_client.parser import GeneratorData

    settings = Config.from_sources(
        ConfigFile.load_from_path(config), MetaType.UV, Path("spec.json"), "utf-8", False, None
    )
    try:
        data = GeneratorData.from_dict(for_generator(spec) if rewrite else spec, config=settings)
    except ValueError as error:  # (what the generator raises for a document it cannot model)
        raise ValueError(f"openapi-python-client cannot read the spec: {error}") from error
    if not hasattr(data, "endpoint_collections_by_tag"):  # a GeneratorError: the generator itself will say why
        raise ValueError(f"openapi-python-client cannot read the spec: {getattr(data, 'header', data)}")
    return data
