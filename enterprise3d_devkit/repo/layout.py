"""Where things are in this repository, and the name of the generated package (read once, from the generator config)."""

from __future__ import annotations

from pathlib import Path

from enterprise3d_devkit.repo import yaml_codec

REPO = Path(__file__).resolve().parents[2]
SPEC_PATH = REPO / "openapi.yaml"
# The reviewed corrections of the vendor's spec (OpenAPI Overlay 1.0), beside it.
OVERLAY_NAME = "openapi.overlay.yaml"
OVERLAY_PATH = REPO / OVERLAY_NAME
CODEGEN = REPO / "codegen"
GENERATOR_CONFIG = CODEGEN / "config.yaml"
OPERATION_TABLE = CODEGEN / "operations.yaml"


_CONFIG = yaml_codec.load(GENERATOR_CONFIG.read_text(encoding="utf-8"))
# The import name of the generated client, and its distribution's name, as codegen/config.yaml tells the generator.
PACKAGE = str(_CONFIG["package_name_override"])
DISTRIBUTION = str(_CONFIG["project_name_override"])
GENERATED = REPO / "generated" / PACKAGE
# The generator's prefix for identifiers that would otherwise be invalid (its config key field_prefix; default kept).
FIELD_PREFIX = "field_"
# The hand-written runtime: modules shipped into the package byte for byte (its __init__.py only describes it).
RUNTIME = CODEGEN / "runtime"
# The runtime's modules, relative to RUNTIME (the package's paths too): every one but the folder's own __init__.py.
RUNTIME_MODULES = sorted(
    p.relative_to(RUNTIME)
    for p in RUNTIME.rglob("*.py")
    if "__pycache__" not in p.parts and p != RUNTIME / "__init__.py"
)
# Every file of the runtime (its modules, and the gallery's viewer: scripts, styles, licences), relative to RUNTIME.
RUNTIME_FILES = sorted(
    p.relative_to(RUNTIME)
    for p in RUNTIME.rglob("*")
    if p.is_file() and "__pycache__" not in p.parts and p != RUNTIME / "__init__.py"
)
