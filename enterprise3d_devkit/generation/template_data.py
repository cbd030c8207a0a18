"""The facts the generator's templates need beyond the spec, written as a Jinja file at generation time (by
generation/run.py, once the spec is valid).

openapi-python-client hands its templates the parsed operations and models, but neither the spec's `servers` nor
anything of ours. generate.sh assembles the template folder it passes with --custom-template-path (the generator's
official extension point) and puts this file in it; the templates import it as `data`. This is the one path by
which anything that is not in the spec reaches a template:

  * `plans`: the operation plans (plans.py), with the docstrings composed from them (docstrings.py): everything the
    high-level client and the command line decide about each operation. Their inputs beyond the generator's reading
    are gathered here (`table_facts`): the reviewed operation table's columns (codegen/operations.yaml: `retry`,
    `result` where the spec has both operations), each JSON body's schema reduced to what the runtime checks before
    a request is sent (codegen/runtime/_checks.py), the component enums' defaults, the webhook payloads an overlay
    marks, the spec's server;
  * from the spec: `default_base_url`, the first server's URL (server variables replaced by their defaults), what
    the high-level client calls when neither base_url= nor the environment says otherwise ("" when there is none);
    `server_prefixes`, where an operation whose path or itself names its own server is served relative to the
    document's server ("/.."; spec.loading.server_prefix), written into its URL because the generator ignores such
    servers;
  * `models`: each generated model's plan (model_plans.py): which of its fields are credentials, how each plain
    field is checked as it is read, what an error says it expected, and the legacy spellings it reads;
  * from the runtime (codegen/runtime/, shipped in the package): the API key's field, and the package's exports: each
    runtime module's own `__all__`, plus the classes the client template writes (CLIENT_EXPORTS).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from codegen.runtime import errors
from codegen.runtime.core import checks as _checks
from codegen.runtime.core import vendor_facts
from codegen.runtime.testing.spec_reading import key_placement
from enterprise3d_devkit.generation import plans
from enterprise3d_devkit.generation.model_plans import model_plans
from enterprise3d_devkit.repo.layout import FIELD_PREFIX, GENERATOR_CONFIG
from enterprise3d_devkit.spec.loading import HTTP_METHODS, resolve, server_base_url, server_prefix
from enterprise3d_devkit.spec.operation_table import load_table, result_operations

# What the package exports from client.py, the module the generator writes Client / AuthenticatedClient into and
# the high-level template adds Enterprise3D / AsyncEnterprise3D to; every other export is a runtime module's __all__.
CLIENT_EXPORTS = ("AsyncEnterprise3D", "AuthenticatedClient", "Client", "Enterprise3D")
RUNTIME_EXPORTS = {
    "core.base_client": ("DEFAULT_MAX_RETRIES", "DEFAULT_TIMEOUT", "NOT_GIVEN"),
    "runs.jobs": ("DEFAULT_WAIT_TIMEOUT",),
    "runs.client_runs": ("SavedResult",),
    "runs.ledger": ("Ledger",),
    "errors": errors.__all__,
}


def default_base_url(spec: dict[str, Any]) -> str:
    """The spec's server (spec_loading.server_base_url) when it is an absolute http(s) URL, else ""."""
    url = server_base_url(spec)
    return url if re.match(r"^https?://[^{}]+$", url) else ""


# The mark an overlay puts on a schema that is a webhook payload (the vendor's POST to a request's `webhook` URL):
# the package's parse_webhook reads a body as one of them.
WEBHOOK_MARK = "x-modelslab-webhook"


def webhook_schemas(spec: dict[str, Any]) -> list[str]:
    """The component schemas marked as webhook payloads, in the spec's order, named as the generator names a
    model's schema: its reference ("/components/schemas/<name>", JSON-pointer escaped)."""
    schemas = (spec.get("components") or {}).get("schemas") or {}
    return [
        "/components/schemas/" + name.replace("~", "~0").replace("/", "~1")
        for name, schema in schemas.items()
        if isinstance(schema, dict) and schema.get(WEBHOOK_MARK) is True
    ]


def enum_defaults(spec: dict[str, Any]) -> dict[str, str]:
    """The defaults of the component enums, by the class the generator names each (the default as text): a field that
    $refs one carries no default of its own in the generated model, but the command line's help shows it."""
    from openapi_python_client.strings import ClassName  # the generator's own naming

    schemas = (spec.get("components") or {}).get("schemas") or {}
    return {
        str(ClassName(name, FIELD_PREFIX)): str(schema["default"])
        for name, schema in schemas.items()
        if isinstance(schema, dict) and "enum" in schema and schema.get("default") is not None
    }


def spec_results(spec: dict[str, Any], table: dict[str, Any]) -> dict[str, str]:
    """The table's generating operation -> result operation rows whose two operations the spec has."""
    labels = {f"{method.upper()} {path}" for path, item in (spec.get("paths") or {}).items() for method in item or {}}
    return {label: fetch for label, fetch in result_operations(table).items() if {label, fetch} <= labels}


def exports(spec: dict[str, Any]) -> dict[str, list[str]]:
    """Module -> the names the package exports from it (client.py's parse_webhook when the spec has payloads)."""
    client = [*CLIENT_EXPORTS, *(["parse_webhook"] if webhook_schemas(spec) else [])]
    return {"client": client, **{module: sorted(names) for module, names in RUNTIME_EXPORTS.items()}}


def checked_schema(schema: Any) -> Any:
    """A resolved schema reduced to the keywords the runtime checks (_checks.CHECKED_KEYWORDS), recursively."""
    if isinstance(schema, list):
        return [checked_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    kept: dict[str, Any] = {}
    for keyword, value in schema.items():
        if keyword not in _checks.CHECKED_KEYWORDS:
            continue
        if keyword == "properties" and isinstance(value, dict):
            kept[keyword] = {name: checked_schema(sub) for name, sub in value.items()}
        elif keyword in ("items", "allOf", "anyOf", "oneOf"):
            kept[keyword] = checked_schema(value)
        else:
            kept[keyword] = value
    return kept


def body_schemas(spec: dict[str, Any]) -> dict[str, str]:
    """Label -> the JSON request body's checked schema as JSON text, for every operation with a JSON body."""
    schemas: dict[str, str] = {}
    for path, item in (spec.get("paths") or {}).items():
        for method in HTTP_METHODS:
            operation = (item or {}).get(method)
            if not isinstance(operation, dict):
                continue
            body = resolve(spec, operation.get("requestBody") or {})
            content = body.get("content") or {}
            media = next((content[kind] for kind in content if "json" in kind), None)
            if isinstance(media, dict) and isinstance(media.get("schema"), dict):
                reduced = checked_schema(media["schema"])
                schemas[f"{method.upper()} {path}"] = json.dumps(reduced, separators=(",", ":"), sort_keys=True)
    return schemas


def key_placements(spec: dict[str, Any]) -> dict[str, tuple[str, str, str]]:
    """Label -> where the operation takes the key in a security scheme it declares, for each operation that does."""
    placements: dict[str, tuple[str, str, str]] = {}
    for path, item in (spec.get("paths") or {}).items():
        for method in HTTP_METHODS:
            operation = (item or {}).get(method)
            if isinstance(operation, dict) and (placement := key_placement(spec, operation)) is not None:
                placements[f"{method.upper()} {path}"] = tuple(placement)  # type: ignore[assignment]
    return placements


def server_prefixes(spec: dict[str, Any]) -> dict[str, str]:
    """Label -> where the operation is served relative to the document's server, for each operation served elsewhere
    (the spec check has refused a server on another host)."""
    prefixes: dict[str, str] = {}
    for path, item in (spec.get("paths") or {}).items():
        for method in HTTP_METHODS:
            if isinstance((item or {}).get(method), dict):
                prefix = server_prefix(spec, path, method)
                if prefix:
                    prefixes[f"{method.upper()} {path}"] = prefix
    return prefixes


def table_facts(spec: dict[str, Any], table: dict[str, Any]) -> plans.TableFacts:
    """What the operation plans need beyond the generator's reading of the spec."""
    return plans.TableFacts(
        retry_safe=frozenset(label for label, policy in table.items() if policy.retry_safe),
        retry_refused=frozenset(label for label, policy in table.items() if policy.retry_refused),
        reads=frozenset(label for label, policy in table.items() if not policy.changes_state),
        results=spec_results(spec, table),
        body_schemas=body_schemas(spec),
        key_placements=key_placements(spec),
        enum_defaults=enum_defaults(spec),
        webhook_schemas=tuple(webhook_schemas(spec)),
        default_base_url=default_base_url(spec),
    )


def client_plan(
    spec: dict[str, Any], table_path: Path, config: Path = GENERATOR_CONFIG, data: Any = None
) -> plans.ClientPlan:
    """The plans of every operation of `spec`, as generation makes them (`table_path`: codegen/operations.yaml;
    `data`: the generator's reading of `spec`, when already made)."""
    table = load_table(table_path) if table_path.exists() else {}
    return plans.client_plan(data or plans.generator_data(spec, config), table_facts(spec, table))


def values(spec: dict[str, Any], table_path: Path, config: Path = GENERATOR_CONFIG) -> dict[str, Any]:
    """Every fact a template can read, by name (`table_path`: the repository's codegen/operations.yaml)."""
    data = plans.generator_data(spec, config)
    return {
        "plans": client_plan(spec, table_path, config, data).to_data(),
        "models": {name: plan.to_data() for name, plan in model_plans(data).items()},
        "default_base_url": default_base_url(spec),
        "server_prefixes": server_prefixes(spec),
        "api_key_field": vendor_facts.API_KEY_FIELD,
        "exports": exports(spec),
    }


def jinja_literal(value: Any) -> str:
    """Plain data as a Jinja expression (JSON's, but for null: Jinja's `none`)."""
    if value is None:
        return "none"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{jinja_literal(str(k))}: {jinja_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(jinja_literal(item) for item in value) + "]"
    return json.dumps(value)


def render(spec: dict[str, Any], table_path: Path, config: Path = GENERATOR_CONFIG) -> str:
    lines = [
        "{# Written by enterprise3d_devkit.generation.template_data as generate.sh runs; never edited or committed. #}"
    ]
    lines += [
        f"{{% set {name} = {jinja_literal(value)} %}}" for name, value in values(spec, table_path, config).items()
    ]
    return "\n".join(lines) + "\n"
