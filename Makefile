# The verbs of the project. Every target creates .venv (and node_modules where needed) by itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install dist release generate check lint-contract test fuzz demo serve bench docs clean

install: $(STAMP)

$(STAMP): pyproject.toml generated/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ./generated -e '.[dev]'
	@# The wheels of every dependency of every role, and of the build backend: the tests install the models and
	@# each role of the toolkit into new environments from them, offline, as the README's install lines say.
	$(BIN)/python -m pip download --quiet --dest $(VENV)/wheelhouse \
		'.[server,proxy,contract,dask,s3]' ./generated hatchling
	$(BIN)/python scripts/compile_bytecode.py
	touch $(STAMP)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

## The wheels and sdists of both distributions, the models and the toolkit, into dist/.
dist: $(STAMP)
	rm -rf dist
	$(BIN)/python -m build --outdir dist generated
	$(BIN)/python -m build --outdir dist .

## Tag the contract's version (v + info.version) on a clean tree, and build its wheels and sdists into dist/; nothing
## is uploaded. Teams install a release from the repository at that tag (README: Install by role).
release: $(STAMP)
	$(BIN)/python scripts/release.py

## Rewrite generated/ from openapi.yaml.
generate: $(STAMP) node_modules/.installed
	$(BIN)/python scripts/generate.py

## Lint the contract with Spectral (spectral:oas) and openapi-spec-validator plus the examples check.
lint-contract: $(STAMP) node_modules/.installed
	$(BIN)/smartconnect-contract lint openapi.yaml
	npx --no-install spectral lint --fail-severity=warn openapi.yaml

## Everything CI checks besides the tests: code lint and types, the layers, contract lint, generated/ drift, the docs.
check: $(STAMP) lint-contract
	$(BIN)/ruff check validators scripts tests bench
	$(BIN)/ruff format --check validators scripts tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python scripts/generate.py --check
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

## The documentation site, into build/site (its rules and speed pages are written from their sources).
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

test: $(STAMP) node_modules/.installed
	$(BIN)/python -m pytest

## Hostile captures at length: the fuzz properties of `make test`, with FUZZ_EXAMPLES cases each (default 3000).
FUZZ_EXAMPLES ?= 3000
fuzz: $(STAMP)
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest tests/test_fuzz.py -p no:randomly --hypothesis-show-statistics

## The main job on bundled data: check the contract, validate the sample captures (findings expected: exit 1),
## compare the contract with a bundled edit of it (a breaking change expected), then run the contract tests against
## the reference server over loopback HTTP.
demo: $(STAMP)
	$(BIN)/smartconnect-contract lint openapi.yaml
	@echo
	@echo "== smartconnect-contract validate samples/"
	$(BIN)/smartconnect-contract validate samples/ || test $$? -eq 1
	@echo
	$(BIN)/python scripts/demo_diff.py
	@echo
	$(BIN)/python scripts/demo_contract.py

## The reference server on http://127.0.0.1:8080 (set SMARTCONNECT_TOKEN, or HUAWEICLOUD_SDK_AK and _SK).
serve: $(STAMP)
	$(BIN)/smartconnect-contract serve

## Throughput and memory against floors measured in the same run (see bench/run.py); docs/speed.json keeps the
## result, which the speed page of the docs is rendered from.
bench: $(STAMP)
	$(BIN)/python scripts/compile_bytecode.py
	$(BIN)/python bench/run.py --json docs/speed.json
	$(BIN)/python bench/request_cost.py --json docs/request-cost.json

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache .import_linter_cache build
