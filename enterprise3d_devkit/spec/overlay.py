"""OpenAPI Overlay 1.0.0: reviewed corrections of vendor defects, applied to the spec as published.

    python -m enterprise3d_devkit.spec.overlay SPEC OVERLAY OUT     write SPEC with OVERLAY applied to OUT (generate.sh)

Exit status: 0 applied; 1 the overlay does not fit (malformed, or an action is stale); 3 the spec as published is
itself unusable (it does not load or fails validation), which is reported instead.

openapi.yaml stays byte for byte what the vendor published; `openapi.overlay.yaml` (optional) holds the actions
that make it usable -- each with a JSONPath `target` (RFC 9535, evaluated by python-jsonpath in strict mode), a
`description` saying why, and either `update` (merged into every matched node: objects recursively, arrays by
appending) or `remove: true`. Everything that reads the spec reads it through `effective_spec`: the generator
(generate.sh), the drift check, the mock and the tests. An action whose target matches nothing is stale (the
vendor may have fixed the defect): applying the overlay fails and says to delete it.
"""

from __future__ import annotations

import copy
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonpath

from enterprise3d_devkit.repo import yaml_codec
from enterprise3d_devkit.repo.layout import OVERLAY_NAME, OVERLAY_PATH, SPEC_PATH
from enterprise3d_devkit.spec.loading import SpecError, load_spec

_JSONPATH = jsonpath.JSONPathEnvironment(strict=True)


class OverlayError(Exception):
    """The overlay is malformed, or one of its actions is stale."""


@dataclass(frozen=True)
class AppliedAction:
    target: str
    description: str
    kind: str  # "update" | "remove"
    matched: tuple[str, ...]  # the normalized paths of the nodes it changed
    # Where the update met a value the spec already has (the vendor now defines what the action adds): it replaced
    # that value (or, in an array, found the item there already). Each is for a person to review.
    overlaps: tuple[str, ...] = ()

    def line(self) -> str:
        return f"  [{self.kind:6}] {self.target} ({len(self.matched)} node(s)): {self.description}"

    def review(self) -> str:
        """The report's paragraph on this action's overlaps ("" when it has none)."""
        if not self.overlaps:
            return ""
        where = ", ".join(self.overlaps[:5]) + (f" and {len(self.overlaps) - 5} more" if len(self.overlaps) > 5 else "")
        return (
            f"  REVIEW the action for {self.target} ({self.description[:80]}...): the spec now defines {where} "
            "itself; the action replaced the vendor's definition there. Keep it only if the vendor's is still wrong."
        )


def load_overlay(path: Path) -> dict[str, Any]:
    try:
        overlay = load_spec(path)
    except SpecError as exc:
        raise OverlayError(f"{path.name} {exc.what} (at {exc.where})") from exc
    version = str(overlay.get("overlay", ""))
    if not version.startswith("1.0."):
        raise OverlayError(f"{path.name}: `overlay: 1.0.x` expected, found {overlay.get('overlay')!r}")
    actions = overlay.get("actions")
    if not isinstance(actions, list) or not actions:
        raise OverlayError(f"{path.name}: `actions` must be a non-empty list")
    for index, action in enumerate(actions):
        if not isinstance(action, dict) or not str(action.get("target", "")).startswith("$"):
            raise OverlayError(f"{path.name}: action {index} needs a JSONPath `target` starting with $")
        if not action.get("description"):
            raise OverlayError(f"{path.name}: action {index} ({action['target']}) needs a `description` saying why")
        if ("update" in action) == bool(action.get("remove")):
            raise OverlayError(f"{path.name}: action {index} ({action['target']}) needs `update` or `remove: true`")
    return overlay


def _merge(node: Any, update: Any, where: str = "$", overlaps: list[str] | None = None) -> Any:
    """`update` merged into `node` (objects recursively, arrays by appending the items they lack); each place where
    the update meets a value already there is added to `overlaps`."""
    found = overlaps if overlaps is not None else []
    if isinstance(node, dict) and isinstance(update, dict):
        for key, value in update.items():
            if key in node:
                node[key] = _merge(node[key], value, f"{where}[{key!r}]", found)
            else:
                node[key] = copy.deepcopy(value)
        return node
    if isinstance(node, list):
        for item in update if isinstance(update, list) else [update]:
            if item in node:
                found.append(f"{where} item {item!r}")  # already listed: appending it again would repeat it
            else:
                node.append(copy.deepcopy(item))
        return node
    found.append(where)  # a value the spec has: replaced (or, if equal, repeated: the action may be redundant now)
    return copy.deepcopy(update)


def apply_overlay(
    spec: dict[str, Any], overlay: dict[str, Any], name: str = OVERLAY_NAME
) -> tuple[dict[str, Any], list[AppliedAction]]:
    """A copy of `spec` with every action applied in order; an OverlayError for a stale action."""
    result = copy.deepcopy(spec)
    applied = []
    for action in overlay["actions"]:
        target = str(action["target"])
        try:
            matches = list(_JSONPATH.finditer(target, result))
        except jsonpath.JSONPathError as exc:
            raise OverlayError(f"{name}: target {target!r} is not RFC 9535 JSONPath: {exc}") from exc
        if not matches:
            raise OverlayError(
                f"{name}: the action for {target!r} is stale: its target matches nothing in the spec (the vendor "
                "may have fixed the defect it corrects): delete it"
            )
        overlaps: list[str] = []
        for match in reversed(matches):  # from the last: removing list items keeps earlier indexes valid
            if action.get("remove"):
                parent = match.parent.obj if match.parent is not None else None
                if isinstance(parent, dict | list):
                    del parent[match.parts[-1]]  # type: ignore[arg-type]
                else:
                    raise OverlayError(f"{name}: {target!r}: the document itself cannot be removed")
            elif match.parent is None:
                result = _merge(result, action["update"], "$", overlaps)
            else:
                merged = _merge(match.obj, action["update"], match.path, overlaps)
                match.parent.obj[match.parts[-1]] = merged  # type: ignore[index]
        kind = "remove" if action.get("remove") else "update"
        paths = tuple(m.path for m in matches)
        applied.append(AppliedAction(target, str(action["description"]), kind, paths, tuple(overlaps)))
    return result, applied


def effective_spec(spec_path: Path = SPEC_PATH, overlay_path: Path | None = OVERLAY_PATH) -> dict[str, Any]:
    """The spec as everything here sees it: `spec_path` with the overlay applied when there is one."""
    spec = load_spec(spec_path)
    if overlay_path is None or not overlay_path.exists():
        return spec
    return apply_overlay(spec, load_overlay(overlay_path), overlay_path.name)[0]


def published_spec_problem(spec_path: Path) -> SpecError | None:
    """Why the spec as published is unusable (it does not load, or fails validation), or None."""
    from enterprise3d_devkit.spec.validation import check_spec

    try:
        check_spec(load_spec(spec_path))
    except SpecError as exc:
        return exc
    return None


SPEC_REFUSED = 3  # main's exit status when the spec itself is unusable (1: the overlay could not be applied)


def main(argv: list[str]) -> int:
    if len(argv) != 4:
        print("usage: python -m enterprise3d_devkit.spec.overlay SPEC OVERLAY OUT", file=sys.stderr)
        return 2
    spec_path, overlay_path, out = Path(argv[1]), Path(argv[2]), Path(argv[3])
    try:
        spec, applied = apply_overlay(load_spec(spec_path), load_overlay(overlay_path), overlay_path.name)
    except (OverlayError, SpecError) as exc:
        published = published_spec_problem(spec_path)
        if published is not None:  # the spec itself is unusable: that, not the overlay, is the news
            print(f"Refused spec {spec_path}: the file {published.what} (at {published.where}).", file=sys.stderr)
            return SPEC_REFUSED
        print(f"Overlay {overlay_path} not applied to {spec_path}: {exc}", file=sys.stderr)
        return 1
    out.write_text(yaml_codec.dump_for_machines(spec), encoding="utf-8")  # the generator's input
    for action in applied:
        print(action.line())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
