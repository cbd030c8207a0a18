#!/usr/bin/env bash
# Regenerate generated/modelslab_enterprise_3d/ from openapi.yaml -- or, with --check, only say whether
# the committed package is what the spec generates today.
#
#   ./generate.sh                       validate, generate into a staging dir, swap in on success
#   ./generate.sh --check               validate, generate, diff against generated/ (exit 1 if stale)
#   ./generate.sh --spec F --out DIR    another spec / package dir (tests use these on temp copies)
#   ./generate.sh --overlay F           apply this OpenAPI Overlay to the spec first (default: openapi.overlay.yaml
#                                       beside openapi.yaml, when it exists and --spec is not given)
#   ./generate.sh --no-cache            run the generator even when the cache holds its output for these inputs
#
# The generator's output is cached by a hash of everything that shapes it (the spec and its overlay, codegen/,
# the dev tools that apply the overlay and write its template data, the generator's and ruff's versions): the
# same inputs give the same bytes, so a cached tree is what the generator would write. The cache lives in
# $MODELSLAB_GENERATE_CACHE, else ${XDG_CACHE_HOME:-~/.cache}/modelslab-enterprise-3d/generate (never in the
# repository); only successful generations are kept. The runtime (codegen/runtime/) and _version.py
# (pyproject.toml's version) are added after.
#
# The tools come from the pinned dev toolchain: `make generate` runs this with .venv/bin first on PATH
# (the generator's ruff post-hooks need ruff there). Every step either succeeds or leaves the output
# package byte-identical: the new package is built beside it and swapped in by rename at the end.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
spec=$repo/openapi.yaml
# The package's import name: codegen/config.yaml is its one source.
out=$repo/generated/$(sed -n 's/^package_name_override: *//p' "$repo/codegen/config.yaml")
mode=generate
use_cache=yes
overlay=
overlay_given=no
spec_given=no
while [ $# -gt 0 ]; do
  case $1 in
    --spec) spec=$2; spec_given=yes; shift 2 ;;
    --overlay) overlay=$2; overlay_given=yes; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --check) mode=check; shift ;;
    --no-cache) use_cache=no; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "generate.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

config=$repo/codegen/config.yaml
# The validation step and the generator's post-hooks run modules of the repo's dev-tool package.
export PYTHONPATH="$repo${PYTHONPATH:+:$PYTHONPATH}"
package=${out##*/}
step=start
fail() { echo "generate.sh: FAILED at step '$step': $*" >&2; echo "generate.sh: $out was left unchanged." >&2; exit 1; }

step="check toolchain"
python=${PYTHON:-python3}
lock=$repo/requirements-dev.lock
tools=(openapi-python-client ruff)
for tool in "${tools[@]}"; do
  command -v "$tool" >/dev/null || fail "$tool is not on PATH; run 'make generate' (it installs the pinned toolchain into .venv)"
  # The generator runs its post-hooks from the output dir: a relative PATH entry would not find ruff there.
  found=$(command -v "$tool")
  PATH="$(cd "${found%/*}" && pwd):$PATH"
done
[ -f "$spec" ] || { step="read spec"; fail "no spec at $spec"; }
outdir=$(dirname "$out")
mkdir -p "$outdir"
# Staged next to the output (same filesystem, so the final swap is a rename), removed on any exit.
staging=$(mktemp -d "$outdir/.generate-XXXXXX")
trap 'rm -rf "$staging"' EXIT
# One interpreter start (the generator's own --version would import its whole CLI): the installed tools' versions,
# in the order of `tools`, and the package's _version.py (added to the package at the end).
actual=($("$python" -m enterprise3d_devkit.generation.version_module "$repo/pyproject.toml" "$staging/_version.py" "${tools[@]}")) ||
  fail "could not read the tools' versions or the package's version (see above)"
for i in "${!tools[@]}"; do
  tool=${tools[$i]}
  pinned=$(sed -n "s/^$tool==//p" "$lock")
  [ "${actual[$i]:-}" = "$pinned" ] ||
    fail "$tool is ${actual[$i]:-not installed} but requirements-dev.lock pins $pinned; run 'make' to reinstall .venv"
done


if [ "$overlay_given" = no ] && [ "$spec_given" = no ] && [ -f "$repo/openapi.overlay.yaml" ]; then
  overlay=$repo/openapi.overlay.yaml
fi
published=$spec
[ -z "$overlay" ] || published="$published with the overlay $overlay"

step="look up the cache"
cache_root=${MODELSLAB_GENERATE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/modelslab-enterprise-3d/generate}
# The key: the tools' versions, the spec and its overlay, and every file of codegen/, of the dev tools below and this
# script (named relative to the repository, so that every copy of it shares the entries). The effective spec is a
# function of these, so a hit needs neither the overlay applied nor the spec validated again (which costs most of
# a cached run): only inputs that generated successfully ever get an entry.
# The dev tools that shape generation: the repository's layout, reading a spec, and generation itself (the tests, the
# mock and the benchmarks do not, so editing them keeps the cache).
generation_tools=(enterprise3d_devkit/__init__.py enterprise3d_devkit/repo enterprise3d_devkit/spec enterprise3d_devkit/generation)
key=$(
  {
    printf '%s\n' "${actual[@]}" "$package"
    sha256sum <"$spec"
    if [ -n "$overlay" ]; then sha256sum <"$overlay"; else echo "no overlay"; fi
    (cd "$repo" && find codegen "${generation_tools[@]}" generate.sh -type f -not -path '*/__pycache__/*' -print0 |
      LC_ALL=C sort -z | xargs -0 sha256sum)
  } | sha256sum
)
key=${key%% *}
cached=$cache_root/$key
new=$staging/project/$package
if [ "$use_cache" = yes ] && [ -f "$cached/__init__.py" ] && mkdir "$staging/project" && cp -R "$cached" "$new"; then
  touch "$cached" 2>/dev/null || true  # generated before from exactly these inputs; kept as recently used
else
  rm -rf "$staging/project"  # the generator refuses an output folder that exists
  # One folder for --custom-template-path: the overrides of the generator's own templates (property_templates/
  # among them), the templates we add (codegen/additions/), and the facts they need beyond the spec
  # (enterprise3d_devkit/generation/template_data.py), written once the spec is valid.
  templates=$staging/templates
  mkdir "$templates"
  cp -R "$repo"/codegen/overrides/. "$repo"/codegen/additions/. "$templates"/
  # The vendored spec is never edited: the overlay's corrections go into a staged copy that is generated from.
  effective=$staging/effective.yaml
  generator_input=$staging/generator-input.json
  # One interpreter applies the overlay, validates, writes the template data and runs the generator's own command
  # line (enterprise3d_devkit/generation/run.py); its exit status names the step that failed.
  # --meta uv: the only way this generator writes py.typed; the project files it writes around the package
  # (pyproject.toml, README.md) are dropped -- ours live at the top of the repo.
  step="generate"
  rc=0
  "$python" -m enterprise3d_devkit.generation.run "$spec" ${overlay:+--overlay "$overlay" "$effective"} \
    --template-data "$repo/codegen/operations.yaml" "$templates/template_data.jinja" \
    --generator-input "$generator_input" --embedded-spec "$staging/openapi.json" -- \
    generate --path "$generator_input" --config "$config" --custom-template-path "$templates" \
    --meta uv --output-path "$staging/project" --fail-on-warning || rc=$?
  case $rc in
    0) ;;
    1) step="validate spec"; fail "$published was refused: not a usable OpenAPI spec (see above)" ;;
    3) step="validate spec"; fail "$spec was refused: not a usable OpenAPI spec (see above)" ;;
    4) step="apply overlay"; fail "the overlay $overlay could not be applied to $spec (see above)" ;;
    5) fail "openapi-python-client reported warnings or errors for $published (see above)" ;;
    *) fail "enterprise3d_devkit.generation.run exited with status $rc (see above)" ;;
  esac
  [ -f "$new/__init__.py" ] || fail "the generator wrote no package '$package' (is package_name_override in $config right?)"
  find "$new" \( -name .ruff_cache -o -name __pycache__ \) -prune -exec rm -rf {} +
  # The spec it was generated from (with the overlay's corrections), carried for offline reading.
  cp "$staging/openapi.json" "$new/openapi.json" || fail "could not add the spec to the package"
  if [ "$use_cache" = yes ] && mkdir -p "$cache_root" 2>/dev/null; then
    # Stored under a temporary name, then renamed: a reader never sees half an entry. A full disk only costs speed.
    tmp_entry=$(mktemp -d "$cache_root/.new-XXXXXX" 2>/dev/null) &&
      cp -R "$new/." "$tmp_entry/" 2>/dev/null && mv -T "$tmp_entry" "$cached" 2>/dev/null || rm -rf "${tmp_entry:-}"
    # Keep the 64 most recently used entries (about 200 KB each).
    ls -1t "$cache_root" 2>/dev/null | tail -n +65 | while read -r old; do rm -rf "${cache_root:?}/$old"; done
  fi
fi

step="add the runtime"
# The hand-written runtime (codegen/runtime/: plain Python, linted, type-checked and unit-tested where it lives) goes
# into the package byte for byte, as the tree it is (a package per product: core, runs, cli, testing; the modules
# users import at the top; the gallery's viewer files); its own __init__.py only describes the folder.
(cd "$repo/codegen/runtime" && find . -type f -not -path '*/__pycache__/*' -not -path ./__init__.py -print0 |
  xargs -0 cp --parents -t "$new/") && cp "$staging/_version.py" "$new/" ||
  fail "could not copy the runtime into the package"

if [ "$mode" = check ]; then
  step="compare with $out"
  # Bytecode caches are not generated output: Python writes them beside modules it imports (unless
  # PYTHONDONTWRITEBYTECODE is set), so they never count as drift.
  if ! diff -r -q -x __pycache__ "$new" "$out" >"$staging/diff" 2>&1; then
    echo "generated/ is stale: regenerating from $spec would change these files of $out:" >&2
    # diff -rq speaks of two trees; say it per file, relative to the package.
    sed -E -e "s|$staging/project/$package|@new|g" -e "s|$out|@old|g" "$staging/diff" |
      sed -E -e 's|^Files @new/(.*) and @old/.* differ$|  changed: \1|' \
             -e 's|^Only in @new/?(.*): (.*)$|  added:   \1/\2|' -e 's|^Only in @old/?(.*): (.*)$|  removed: \1/\2|' \
             -e 's|^(  [a-z]+: +)/|\1|' >&2
    echo "Run 'make generate' and commit the result." >&2
    exit 1
  fi
  echo "$out is up to date with $published"
  exit 0
fi

step="swap in the new package"
if [ -e "$out" ]; then
  mv "$out" "$staging/previous"
  mv "$new" "$out" || { mv "$staging/previous" "$out"; fail "could not move the new package into place"; }
else
  mv "$new" "$out"
fi
echo "Generated $out from $published"
