"""generate.sh's Python steps on a cache miss, in one interpreter: apply the overlay, validate the spec, write the
templates' data (the operation plans among them) and the document the generator reads, then run openapi-python-client's
own command line on it.

    python -m enterprise3d_devkit.generation.run SPEC [--overlay OVERLAY EFFECTIVE] --template-data TABLE OUT \\
        --generator-input INPUT -- GENERATOR_ARGUMENTS...

GENERATOR_ARGUMENTS are the generator's (`generate --path INPUT --config CONFIG ...`), given by generate.sh; INPUT is
the effective spec (EFFECTIVE, with an overlay) as generator_input.for_generator rewrites it, which this writes.
The exit status names the step that failed, for generate.sh's message:

    0  generated
    1  the spec (with its overlay) was refused (what and where on stderr)
    3  the spec was refused before its overlay could be applied
    4  the overlay could not be applied
    5  the generator reported warnings or errors (its own output on stderr)

One interpreter because three cost a third more: each imported YAML, pydantic and the generator's naming rules
again. The generator runs exactly as its console script would (same arguments, same post hooks), only without an
interpreter of its own.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
from pathlib import Path

from enterprise3d_devkit.generation import template_data
from enterprise3d_devkit.generation.generator_input import for_generator
from enterprise3d_devkit.spec import overlay
from enterprise3d_devkit.spec.validation import checked_spec

REFUSED, REFUSED_BEFORE_OVERLAY, OVERLAY_NOT_APPLIED, GENERATOR_FAILED = 1, 3, 4, 5


def run_generator(arguments: list[str]) -> tuple[int, str]:
    """openapi-python-client's command line with these arguments, in this process: its exit status and output."""
    from openapi_python_client.cli import app

    output = io.StringIO()
    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
        try:
            status = app(arguments, prog_name="openapi-python-client", standalone_mode=False)
        except SystemExit as exit_:  # (what a command may still raise outside click's own handling)
            status = exit_.code
        except Exception as error:  # click's usage errors, and anything the generator did not catch
            print(f"{type(error).__name__}: {error}")
            status = 1
    return (0 if status is None else status if isinstance(status, int) else 1), output.getvalue()


def write_inputs(
    spec_path: Path,
    table: Path,
    template_data_out: Path,
    generator_input: Path,
    config: Path,
    embedded: Path | None = None,
) -> int:
    """Check the spec, then write the templates' data, the document the generator reads and (to `embedded`) the spec
    the package carries: 0, or REFUSED."""
    spec = checked_spec(spec_path)
    if spec is None:
        return REFUSED
    try:
        template_data_out.write_text(template_data.render(spec, table, config), encoding="utf-8")
    except ValueError as exc:  # a row of the operation table that is not safe/never, read/write; a spec it cannot read
        print(f"Template data not written for {spec_path}: {exc}", file=sys.stderr)
        return REFUSED
    generator_input.write_text(json.dumps(for_generator(spec), default=str), encoding="utf-8")
    if embedded is not None:  # the effective spec as published plus the overlay, for offline reading
        embedded.write_text(json.dumps(spec, indent=1, sort_keys=True, default=str) + "\n", encoding="utf-8")
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m enterprise3d_devkit.generation.run", usage="%(prog)s [options] SPEC -- GENERATOR_ARGUMENTS..."
    )
    parser.add_argument("spec")
    parser.add_argument("--overlay", nargs=2, metavar=("OVERLAY", "EFFECTIVE"))
    parser.add_argument("--template-data", nargs=2, metavar=("TABLE", "OUT"), required=True)
    parser.add_argument("--generator-input", required=True, help="where to write the document the generator reads")
    parser.add_argument("--embedded-spec", type=Path, help="where to write the spec the package carries (JSON)")
    split = argv.index("--") if "--" in argv else len(argv)
    args = parser.parse_args(argv[1:split])
    generator_arguments = argv[split + 1 :]
    if "--config" not in generator_arguments[:-1]:
        parser.error("no generator arguments after -- (with its --config)")
    config = Path(generator_arguments[generator_arguments.index("--config") + 1])
    effective = args.spec
    if args.overlay is not None:
        effective = args.overlay[1]
        with open(os.devnull, "w", encoding="utf-8") as quiet, contextlib.redirect_stdout(quiet):  # (the actions)
            applied = overlay.main(["overlay", args.spec, args.overlay[0], effective])
        if applied != 0:
            return REFUSED_BEFORE_OVERLAY if applied == overlay.SPEC_REFUSED else OVERLAY_NOT_APPLIED
    table, out = (Path(path) for path in args.template_data)
    if write_inputs(Path(effective), table, out, Path(args.generator_input), config, args.embedded_spec) != 0:
        return REFUSED
    status, output = run_generator(generator_arguments)
    if status != 0:
        print(output, file=sys.stderr, end="")
        return GENERATOR_FAILED
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
