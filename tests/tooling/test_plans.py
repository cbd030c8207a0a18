"""The operation plans (enterprise3d_devkit.generation.plans), computed without generating: what each method takes
and returns, on documents of our own making shaped as the vendor writes (tests/fixtures/documents/), and on
variants of them made here. Every expectation is read from the document itself."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from enterprise3d_devkit.generation import plans
from enterprise3d_devkit.generation.generator_input import for_generator
from enterprise3d_devkit.generation.template_data import table_facts
from enterprise3d_devkit.repo.layout import GENERATOR_CONFIG, REPO
from enterprise3d_devkit.spec.loading import load_spec, object_schema, resolve
from enterprise3d_devkit.spec.operations import Operation, operations
from modelslab_enterprise_3d.core.vendor_facts import API_KEY_FIELD, ERROR_STATUSES

DOCUMENTS = REPO / "tests" / "fixtures" / "documents"
SHAPES = DOCUMENTS / "schema-shapes.openapi.yaml"
BODIES = DOCUMENTS / "body-shapes.openapi.yaml"


def plan_of(spec: dict[str, Any], results: dict[str, str] | None = None) -> plans.ClientPlan:
    facts = table_facts(spec, {})
    if results is not None:
        facts = plans.TableFacts(**{**facts.__dict__, "results": results})
    return plans.client_plan(plans.generator_data(spec), facts)


def generation_pairs(spec: dict[str, Any]) -> dict[str, str]:
    """The documents' generating operation -> fetching operation: the one without a path parameter generates, the
    one with one (the job's id) fetches."""
    ops = operations(spec)
    fetching = [op.label for op in ops if any(p.get("in") == "path" for p in op.parameters)]
    return {op.label: fetching[0] for op in ops if op.label not in fetching}


def body_properties(spec: dict[str, Any], op: Operation) -> dict[str, Any]:
    return object_schema(resolve(spec, op.request_schema or {})).get("properties") or {}


def required_of(spec: dict[str, Any], op: Operation) -> set[str]:
    return set(object_schema(resolve(spec, op.request_schema or {})).get("required") or [])


@pytest.mark.parametrize("document", [SHAPES, BODIES], ids=lambda p: Path(p).stem)
def test_each_body_field_but_the_key_is_a_keyword_argument_and_the_key_is_filled_in(document: Path) -> None:
    """allOf parts, inherited two levels deep, and (body-shapes) properties and required beside allOf: every field of
    the schema is an argument, the required ones without a default."""
    spec = load_spec(document)
    by_label = plan_of(spec).by_label()
    for op in operations(spec):
        plan = by_label[op.label]
        properties = body_properties(spec, op)
        assert {f.name for f in plan.fields} == set(properties) - {API_KEY_FIELD}, op.label
        assert plan.has_key == (API_KEY_FIELD in properties), op.label
        assert not plan.whole_body
        defaults = {name for name, schema in properties.items() if isinstance(schema, dict) and "default" in schema}
        required = required_of(spec, op) - {API_KEY_FIELD} - defaults
        assert {f.name for f in plan.model_required} == required, op.label
        assert all(p.default is None for p in plan.keywords if p.name in required)


def test_the_generator_reads_fields_beside_allof_once_they_move_into_it() -> None:
    """The generator drops a schema's own properties when it has allOf (so the body-shapes document needs the
    rewrite); for_generator moves them into an allOf part, which it merges: every model has every field."""
    spec = load_spec(BODIES)

    def model_fields(document: dict[str, Any]) -> dict[str, set[str]]:
        from openapi_python_client.config import Config, ConfigFile, MetaType
        from openapi_python_client.parser import GeneratorData

        config = Config.from_sources(
            ConfigFile.load_from_path(GENERATOR_CONFIG), MetaType.UV, BODIES, "utf-8", False, None
        )
        read: Any = GeneratorData.from_dict(copy.deepcopy(document), config=config)
        endpoints = [e for c in read.endpoint_collections_by_tag.values() for e in c.endpoints]
        return {
            plans._label(e): {plans._text(p.name) for p in plans._model_fields(e.bodies[0].prop) or []}
            for e in endpoints
        }

    expected = {op.label: set(body_properties(spec, op)) for op in operations(spec)}
    assert model_fields(spec) != expected, "the generator reads the document as published without those fields"
    assert model_fields(for_generator(spec)) == expected


def test_a_field_named_like_a_parameter_makes_the_method_take_the_whole_body() -> None:
    spec = load_spec(SHAPES)
    op = next(op for op in operations(spec) if any(p.get("in") == "path" for p in op.parameters))
    parameter = next(p["name"] for p in op.parameters if p.get("in") == "path")
    schema = resolve(spec, op.request_schema or {})
    clashing = copy.deepcopy(spec)
    target = next(s for s in clashing["components"]["schemas"].values() if s == schema)
    target.setdefault("properties", {})[parameter] = {"type": "string"}
    plan = plan_of(clashing).by_label()[op.label]
    assert plan.whole_body and not plan.fields and not plan.has_key
    assert plan.keywords[0].name == "body"
    assert plan.passed_on[len(plan.positional)] == "body=body"


def test_error_variants_are_left_out_of_what_a_method_returns() -> None:
    """A 200 whose oneOf mixes success, processing and the vendor's error body returns the first two only (the error
    raises), and a wait on the fetching operation returns the variant that can say success."""
    spec = load_spec(SHAPES)
    data = plans.generator_data(spec)
    plan = plan_of(spec, generation_pairs(spec))
    for endpoint in (e for c in data.endpoint_collections_by_tag.values() for e in c.endpoints):
        response = next(plans._success_responses(endpoint))
        variants = plans._variants(response.prop)
        errors = [v for v in variants if plans.is_error_model(v)]
        assert errors, "the document's 200s each have an error variant"
        for variant in errors:
            assert set(plans._status_values(variant) or []) <= ERROR_STATUSES
        label = plans._label(endpoint)
        returned = plan.by_label()[label].returns.split(" | ")
        assert len(returned) == len(variants) - len(errors)
        assert not {str(v.class_info.name) for v in errors} & set(returned)
    (wait,) = plan.waits
    assert wait.name == plans.SINGLE_WAIT_NAME
    assert wait.success in wait.answers.split(" | ")


def test_a_response_without_a_body_returns_none() -> None:
    spec = copy.deepcopy(load_spec(SHAPES))
    op = operations(spec)[0]
    operation = spec["paths"][op.path][op.method]
    operation["responses"] = {"204": {"description": "Done, nothing to say"}}
    assert plan_of(spec).by_label()[op.label].returns == "None"


def test_two_fetching_operations_get_a_wait_method_each() -> None:
    spec = copy.deepcopy(load_spec(SHAPES))
    pairs = generation_pairs(spec)
    (generating, fetching) = next(iter(pairs.items()))
    spec["paths"]["/other/{job_id}"] = copy.deepcopy(spec["paths"][fetching.split(" ", 1)[1]])
    spec["paths"]["/other/{job_id}"]["post"]["operationId"] = "readOtherJob"
    second = copy.deepcopy(spec["paths"][generating.split(" ", 1)[1]])
    second["post"]["operationId"] = "makeOther"
    spec["paths"]["/make_other"] = second
    plan = plan_of(spec, {**pairs, "POST /make_other": "POST /other/{job_id}"})
    assert len(plan.waits) == 2
    assert all(w.name == f"wait_for_{w.fetch}" for w in plan.waits)
    assert {p.wait for p in plan.operations if p.generates} == {w.name for w in plan.waits}
    # what the package's mock runs as jobs: each generating operation with the one that fetches its result
    assert plan.job_results() == {**pairs, "POST /make_other": "POST /other/{job_id}"}
    assert plan_of(spec, {}).job_results() == {}


def test_a_generating_operation_has_its_wait_twin_and_passes_every_argument_on() -> None:
    spec = load_spec(SHAPES)
    plan = plan_of(spec, generation_pairs(spec))
    for op_plan in plan.operations:
        assert op_plan.generates == (op_plan.label in generation_pairs(spec))
        if op_plan.generates:
            assert op_plan.and_wait == f"{op_plan.name}_and_wait"
            named = {p.name for p in op_plan.positional} | {p.name for p in op_plan.keywords}
            passed = {entry.split("=", 1)[0] for entry in op_plan.passed_on}
            assert passed == named


def test_arrays_are_json_options_enums_choices_and_credentials_secrets() -> None:
    spec = load_spec(BODIES)
    for op in operations(spec):
        options = {o.dest: o for o in plan_of(spec).by_label()[op.label].options}
        for name, schema in body_properties(spec, op).items():
            if name == API_KEY_FIELD:
                assert name not in options
                continue
            if schema.get("type") == "array":
                assert options[name].kind == "json", name
            assert options[name].required == (name in required_of(spec, op) and "default" not in schema)
    shapes = load_spec(SHAPES)
    for op in operations(shapes):
        options = {o.dest: o for o in plan_of(shapes).by_label()[op.label].options}
        for name, schema in body_properties(shapes, op).items():
            if "enum" in schema:
                assert options[name].kind == {"integer": "int", "string": "str"}[schema.get("type", "string")]
                assert options[name].choices == tuple(map(str, schema["enum"]))
                assert options[name].default == schema.get("default")


def test_an_enum_argument_takes_its_plain_values_and_the_cli_table_reads_as_data() -> None:
    spec = load_spec(SHAPES)
    plan = plan_of(spec)
    enum_fields = [f for p in plan.operations for f in p.fields if "Literal[" in f.annotation]
    assert enum_fields, "the document has a request enum"
    for field in enum_fields:
        assert field.value.endswith(")") and "(" in field.value, "a plain value becomes the enum's member"
    source = plan.to_data()["operations_table"]
    assert eval(source) == tuple(  # (our own rendering of plain data)
        {
            **c,
            "options": tuple(
                {**o, **({"choices": tuple(o["choices"])} if "choices" in o else {})} for o in c["options"]
            ),
        }
        for c in plan.operations_table()
    )
    assert max(len(line) for line in source.splitlines()) < 200, "one item a line"


ANSWERS = DOCUMENTS / "answer-shapes.openapi.yaml"


def test_enum_values_that_name_one_member_get_numbered_names_the_generator_reads() -> None:
    """Values differing only in case (answer-shapes' TaskState) name one member by the generator's rule: it stops
    on the published document; with the rewrite every value keeps a member of its own."""
    spec = load_spec(ANSWERS)
    with pytest.raises(ValueError, match="cannot read"):
        plans.generator_data(spec, rewrite=False)
    data = plans.generator_data(spec)
    enums = {str(e.class_info.name): e for e in data.enums}
    for name, schema in spec["components"]["schemas"].items():
        if "enum" in schema:
            members = enums[name].values
            assert sorted(str(v).strip('"') for v in members.values()) == sorted(schema["enum"]), name
            assert len(members) == len(schema["enum"])


def test_a_titled_response_shared_by_statuses_is_one_model() -> None:
    """answer-shapes' Problem, used for two statuses of one operation: the generator drops those answers (two models
    of one name) from the published document; rewritten, every status parses into the one model."""
    spec = load_spec(ANSWERS)
    for schema in spec["components"]["schemas"].values():  # (the enum's own shape aside)
        if "enum" in schema:
            schema["enum"] = sorted({value.lower() for value in schema["enum"]})
    published = plans.generator_data(spec, rewrite=False)
    assert [e for c in published.endpoint_collections_by_tag.values() for e in c.parse_errors]
    plan = plan_of(spec)
    for response in spec["components"]["responses"].values():
        title = response["content"]["application/json"]["schema"]["title"]
        uses = [m for p in plan.operations for m in p.response_models.values() if m == title]
        assert len(uses) >= 2, f"{title}: one model for every status that refers to it"


def test_an_array_without_items_is_an_array_of_anything_the_generator_reads() -> None:
    spec = copy.deepcopy(load_spec(SHAPES))
    model, schema = next(
        (name, s)
        for name, s in spec["components"]["schemas"].items()
        if any(p.get("type") == "array" for p in (s.get("properties") or {}).values())
    )
    array = next(p for p in schema["properties"].values() if p.get("type") == "array")
    del array["items"]
    published = plans.generator_data(spec, rewrite=False)
    dropped = published.errors or [e for c in published.endpoint_collections_by_tag.values() for e in c.parse_errors]
    assert dropped, "the generator drops what uses it"
    data = plans.generator_data(spec)
    assert not data.errors and model in {str(m.class_info.name) for m in data.models}


def test_a_oneof_that_only_groups_its_objects_own_fields_is_read_without_it() -> None:
    """body-shapes' LyricsRequest: its oneOf branches only say which of its fields go together. The generator cannot
    make a model of the published schema; rewritten, the body is one model with every field, and the runtime's
    check keeps the oneOf (the method refuses a body that matches none of its forms)."""
    spec = load_spec(BODIES)
    constrained = [
        op for op in operations(spec) if isinstance(resolve(spec, op.request_schema or {}).get("oneOf"), list)
    ]
    assert constrained, "the document has such a body"
    for op in constrained:
        published = plans.generator_data(spec, rewrite=False)
        read = [e for c in published.endpoint_collections_by_tag.values() for e in c.endpoints]
        endpoint = next((e for e in read if plans._label(e) == op.label), None)
        assert endpoint is None or plans._model_fields(endpoint.bodies[0].prop) is None, "published: no model"
        plan = next(p for p in plan_of(spec).operations if p.label == op.label)
        assert not plan.whole_body
        assert {f.name for f in plan.fields} == set(body_properties(spec, op)) - {API_KEY_FIELD}
        assert "oneOf" in plan.body_schema, "the body is still checked against its forms before it is sent"


def test_each_operation_takes_the_key_where_its_security_scheme_says() -> None:
    """security-schemes: the document's bearer scheme, an operation's API-key header, an API-key query parameter, and
    `security: []` (no key): the plan says where the client puts the key, and none of them has a body key field."""
    spec = load_spec(DOCUMENTS / "security-schemes.openapi.yaml")
    schemes = spec["components"]["securitySchemes"]
    plan = {p.label: p for p in plan_of(spec).operations}
    seen = set()
    for op in operations(spec):
        requirement = op_security = (spec["paths"][op.path][op.method].get("security", spec["security"]) or [{}])[0]
        assert not plan[op.label].has_key
        if not op_security:
            assert plan[op.label].key_in == (), op.label
            continue
        scheme = schemes[next(iter(requirement))]
        if scheme["type"] == "http":
            expected = ("header", "Authorization", "Bearer ")
        else:
            expected = (scheme["in"], scheme["name"], "")
        assert plan[op.label].key_in == expected, op.label
        seen.add(expected[0] + ("-bearer" if expected[2] else ""))
    assert seen == {"header-bearer", "header", "query"}, "the document has each kind"
