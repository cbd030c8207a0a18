# Every verb of this repo. `make help` lists them. Each target bootstraps .venv from
# requirements-dev.lock by itself, so nothing has to be installed by hand first.
#
# Pipeline: openapi.yaml -> generate.sh -> generated/modelslab_enterprise_3d/ -> tests/

BOOTSTRAP_PYTHON ?= python3
VENV ?= $(CURDIR)/.venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# What every target needs first. Tests that run make on a temp copy of the repo set BOOTSTRAP= (empty)
# to reuse the running venv instead of installing that copy into it.
BOOTSTRAP ?= $(STAMP)
export PATH := $(BIN):$(PATH)
# Python may cache compiled modules (some machines set PYTHONDONTWRITEBYTECODE): the suite starts dozens of
# interpreters, and recompiling the same libraries in each would cost every run. Caches are git-ignored and never
# count as generated output.
unexport PYTHONDONTWRITEBYTECODE
export PYTHON := $(BIN)/python
# The generated package's import name: codegen/config.yaml is its one source.
PACKAGE := $(shell sed -n 's/^package_name_override: *//p' codegen/config.yaml)
HAND_WRITTEN := enterprise3d_devkit codegen/runtime tests

.DEFAULT_GOAL := help
.PHONY: test-bounds help venv generate check-spec-record check-generated lint format typecheck pytest test test-fast test-live test-spec test-corpus demo mock update-spec spec-diff bench dist lock clean golden chromium

help: ## List every target
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-16s %s\n", $$1, $$2}'

$(STAMP): requirements-dev.lock pyproject.toml
	$(BOOTSTRAP_PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

venv: $(STAMP) ## Create .venv from the pinned toolchain (requirements-dev.lock)

generate: $(BOOTSTRAP) ## Validate openapi.yaml and regenerate generated/ (atomic: a failure changes nothing)
	./generate.sh

check-spec-record: $(BOOTSTRAP) ## Fail, naming the file, if openapi.yaml is not what openapi.lock.yaml records (a hand edit)
	python -m enterprise3d_devkit.spec.record

check-generated: $(BOOTSTRAP) ## Fail, naming the stale files, if generated/ is not what openapi.yaml generates
	./generate.sh --check

lint: $(BOOTSTRAP) ## Ruff on the hand-written code; the GitHub workflows' structure (check-jsonschema) and security (zizmor)
	ruff check $(HAND_WRITTEN)
	ruff format --check $(HAND_WRITTEN)
	check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	zizmor --offline --quiet .github/workflows

format: $(BOOTSTRAP) ## Apply ruff's fixes and formatting to the hand-written code
	ruff check --fix $(HAND_WRITTEN)
	ruff format $(HAND_WRITTEN)

typecheck: $(BOOTSTRAP) ## mypy --strict on generated/, the hand-written code and README's examples
	mypy --strict generated/$(PACKAGE) $(HAND_WRITTEN)
	python -m enterprise3d_devkit.harness.readme_snippets

pytest: $(BOOTSTRAP) ## The pytest suite alone, but for the whole-pipeline tests (`make test-corpus` runs those)
	pytest -m "not pipeline"

test: $(BOOTSTRAP) chromium ## Everything CI checks (.ci/run calls this): the four static checks side by side, then pytest
	$(MAKE) --no-print-directory --output-sync=target -j4 check-spec-record check-generated lint typecheck
	$(MAKE) --no-print-directory pytest

chromium: ## Debian's Chromium, for the gallery's test in a real browser: installed when missing (apt-get; root or sudo)
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || command -v google-chrome >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt=apt-get; else apt="sudo apt-get"; fi; \
	  $$apt update -q && DEBIAN_FRONTEND=noninteractive $$apt install -y -q --no-install-recommends chromium; }

test-fast: $(BOOTSTRAP) ## The inner loop: the runtime's unit tests, the operation plans, the layering and the in-process spec-generic tests (no generation)
	pytest -m "not slow" tests/runtime tests/spec_generic/contract tests/spec_generic/high_level tests/spec_generic/hardening \
	  tests/tooling/test_plans.py tests/tooling/test_layering.py

# test-live prints Python's own tracebacks: pytest's long ones re-parse every module of a failed call (httpx's among
# them) for every failure, and against a server that cannot be reached every test fails the same way.
test-live: $(BOOTSTRAP) ## The e2e suite against a real server: TEST_API_BASE_URL + MODELSLAB_API_KEY (writes: TEST_API_ALLOW_WRITES=1)
	@test -n "$$TEST_API_BASE_URL" && test -n "$$MODELSLAB_API_KEY" || { \
	  echo "make test-live needs TEST_API_BASE_URL (the base URL a Client is given, e.g." >&2; \
	  echo "https://modelslab.com/api/v1/enterprise/3d) and MODELSLAB_API_KEY (your key); TEST_API_ALLOW_WRITES=1" >&2; \
	  echo "also runs the operations that change server state (codegen/operations.yaml), among them the generating" >&2; \
	  echo "ones (text_to_3d, image_to_3d), which cost credits." >&2; exit 2; }
	@test "$$TEST_API_ALLOW_WRITES" = 1 && echo "TEST_API_ALLOW_WRITES=1: the generating operations run, and cost credits." >&2 || \
	  echo "Read-only: the operations that change state or generate (and cost credits) are skipped; TEST_API_ALLOW_WRITES=1 runs them." >&2
	pytest -n 0 --tb=native tests/spec_generic/e2e

test-spec: $(BOOTSTRAP) ## The spec-generic suite on any document: SPEC=<path or URL> [OVERLAY=<file>] [PROPOSE=<file>] (in a temp copy)
	@test -n "$(SPEC)" || { echo 'usage: make test-spec SPEC=<path-or-URL> [OVERLAY=<overlay.yaml>] [PROPOSE=<file>]' >&2; exit 2; }
	python -m enterprise3d_devkit.harness.spec_suite "$(SPEC)" $(if $(OVERLAY),--overlay "$(OVERLAY)") $(if $(PROPOSE),--propose "$(PROPOSE)") $(if $(NO_REPAIRS),--no-repairs)

test-corpus: $(BOOTSTRAP) ## The whole-pipeline tests; make test-spec on the vendor's corpus, every earlier version of it and our documents; the replay of its versions through make update-spec (figures and time)
	pytest -m pipeline
	python -m enterprise3d_devkit.harness.spec_suite --corpus tests/fixtures/corpus --jobs 3
	python -m enterprise3d_devkit.harness.spec_suite --corpus tests/fixtures/corpus-history --jobs 3
	python -m enterprise3d_devkit.harness.spec_suite --corpus tests/fixtures/documents --jobs 3
	python -m enterprise3d_devkit.harness.replay --history tests/fixtures/corpus-history --corpus tests/fixtures/corpus --jobs 3

test-bounds: $(BOOTSTRAP) ## The runtime and spec-generic tests with the lowest, then the highest, httpx and attrs pyproject.toml allows (own venvs)
	python -m enterprise3d_devkit.release.bounds

demo: generate ## Regenerate, generate a 3D model from a prompt against a local mock (wait, download, check), then call every operation
	python -m enterprise3d_devkit.harness.demo

mock: $(BOOTSTRAP) ## Serve the spec-driven mock API on http://127.0.0.1:4010 (Ctrl-C stops it)
	python -m $(PACKAGE) mock --host 127.0.0.1 --port 4010

update-spec: $(BOOTSTRAP) ## Take the vendor's spec again from its recorded sources (or SOURCE="..."); regenerate, version, changelog; REPORT=file.md; PROPOSE=file: a refused spec's proposed repairs
	python -m enterprise3d_devkit.spec_update.update $(SOURCE) $(if $(REPORT),--markdown "$(REPORT)") $(if $(PROPOSE),--propose "$(PROPOSE)")

spec-diff: $(BOOTSTRAP) ## What openapi.yaml in the working tree changes for users, against the last commit
	python -m enterprise3d_devkit.spec.diff

golden: $(BOOTSTRAP) ## Rewrite the golden records (tests/golden/: what our documents generate); GROWN=1 also re-takes the grown spec
	python -m tests.support.golden $(if $(GROWN),--grown)

bench: $(BOOTSTRAP) ## Benchmarks against raw httpx (not part of `make test`); figures go to enterprise3d_devkit/bench/BENCHMARKS.md
	python -m enterprise3d_devkit.bench.report

dist: $(BOOTSTRAP) ## Build the sdist and the wheel into dist/ (python -m build), check them (twine check --strict, the wheel's contents)
	python -m enterprise3d_devkit.release.dist build dist

lock: ## Re-resolve requirements-dev.in into requirements-dev.lock (then commit both)
	rm -rf $(CURDIR)/.lock-venv
	$(BOOTSTRAP_PYTHON) -m venv $(CURDIR)/.lock-venv
	$(CURDIR)/.lock-venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.in
	{ echo "# Generated by \`make lock\` from requirements-dev.in; do not edit by hand."; \
	  $(CURDIR)/.lock-venv/bin/python -m pip freeze --exclude pip --exclude setuptools --exclude wheel; } > requirements-dev.lock
	rm -rf $(CURDIR)/.lock-venv

clean: ## Remove .venv and caches (generated/ is committed and stays)
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis dist
	find . -name __pycache__ -not -path './.git/*' -prune -exec rm -rf {} +
