"""The facts the generator's templates need but cannot see, written as a Jinja file at generation time
(by `python -m enterprise3d_devkit.spec_validation SPEC --template-data TABLE OUT`, once the spec is valid).

openapi-python-client hands its templates the parsed operations and models, but neither the spec's `servers` nor
anything of ours. generate.sh assembles the template folder it passes with --custom-template-path (the generator's
official extension point) and puts this file in it; codegen/additions/high_level_client.py.jinja imports it:

  * `default_base_url`: the first server's URL (server variables replaced by their defaults), what the high-level
    client calls when neither base_url= nor MODELSLAB_BASE_URL says otherwise; "" when the spec gives no absolute URL;
  * `retry_safe`: the labels ("POST /path") of the operations codegen/operations.yaml marks `retry: safe`. An
    operation the table does not name is not retried (this_api/test_operation_table.py makes a person decide).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from enterprise3d_devkit.operation_table import load_table


def default_base_url(spec: dict[str, Any]) -> str:
    servers = spec.get("servers") or []
    if not servers:
        return ""
    server = servers[0]
    variables = server.get("variables") or {}

    def default_of(match: re.Match[str]) -> str:
        return str((variables.get(match.group(1)) or {}).get("default", match.group(0)))

    url = re.sub(r"\{([^}]+)\}", default_of, server["url"])
    return url.rstrip("/") if re.match(r"^https?://[^{}]+$", url) else ""


def render(spec: dict[str, Any], table_path: Path) -> str:
    table = load_table(table_path) if table_path.exists() else {}
    safe = sorted(label for label, policy in table.items() if policy.retry_safe)
    return (
        "{# Written by enterprise3d_devkit.template_data when generate.sh runs; never edited, never committed. #}\n"
        f"{{% set default_base_url = {json.dumps(default_base_url(spec))} %}}\n"
        f"{{% set retry_safe = {json.dumps(safe)} %}}\n"
    )
