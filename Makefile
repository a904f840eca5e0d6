# The two commands: `make run` and `make test`. Everything else is a step they use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
export PORT

.PHONY: run test install install-dev migrate seed openapi clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(VENV)/.runtime-installed $@

install: $(VENV)/.runtime-installed
install-dev: $(VENV)/.dev-installed

migrate: install
	$(BIN)/alembic upgrade head

seed: migrate
	$(BIN)/python -m service seed

## make run: install, migrate, seed (missing records added, untouched ones corrected), serve on http://127.0.0.1:$(PORT)
## with the webhook deliverer beside gunicorn (started and stopped with it: gunicorn.conf.py), in
## webhook development mode (http to loopback receivers; WEBHOOK_ALLOW_PRIVATE=0 to turn it off)
WEBHOOK_ALLOW_PRIVATE ?= 1
run: seed
	exec env RUN_DELIVERER=1 WEBHOOK_ALLOW_PRIVATE=$(WEBHOOK_ALLOW_PRIVATE) \
		$(BIN)/gunicorn --config gunicorn.conf.py "service:create_app()"

## make test: the whole suite, on SQLite and on the PostgreSQL named by TEST_DATABASE_URL
test: install-dev
	TEST_DATABASE_URL="$(TEST_DATABASE_URL)" $(BIN)/python -m pytest $(PYTEST_ARGS)

## make openapi: regenerate openapi.yaml, the committed contract, from the code
openapi: install
	$(BIN)/python -m service openapi --output openapi.yaml

clean:
	rm -rf $(VENV) instance .pytest_cache

## make container-test: build the image with podman (no Docker daemon), run it on
## loopback, run tests/live against it, stop it with SIGTERM (scripts/container-*.sh)
.PHONY: container-test
container-test: install-dev
	bash scripts/container-base.sh
	bash scripts/container-test.sh

## make bench: the service under gunicorn + wrk on synthetic data (1k, 100k, 1M records); writes bench/RESULTS.md
## with every target, its measured ratio and whether it is met
## (BENCH_ARGS="--sizes 1000,100000" for a quick run; "--postgres $(TEST_DATABASE_URL)" adds PostgreSQL).
## Datasette, measured beside the service, comes from bench/requirements.txt in its own virtualenv.
.PHONY: bench
BENCH_ARGS ?=
BENCH_VENV := .venv-bench
$(BENCH_VENV)/.installed: bench/requirements.txt
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r bench/requirements.txt
	touch $@
bench: install-dev $(BENCH_VENV)/.installed
	$(BIN)/python bench/run.py $(BENCH_ARGS)

## make bench-serving: the sync and the paced worker side by side, interleaved on one dataset,
## with a ceiling under each (bench/serving.py); writes bench/RESULTS-serving.md
.PHONY: bench-serving
bench-serving: install-dev
	$(BIN)/python bench/serving.py $(SERVING_ARGS)

## make lint: ruff check (with import sorting) and ruff format --check over the whole tree,
## the import layers of ARCHITECTURE.md (lint-imports, pyproject.toml), and the contract lint
.PHONY: lint lint-python
lint: lint-python lint-contract

lint-python: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

## make lint-contract: Spectral (.spectral.yaml; warnings fail), Redocly CLI's recommended rules
## (redocly.yaml; errors fail), both pinned in package.json, and openapi-spec-validator on openapi.yaml
.PHONY: lint-contract
lint-contract: install-dev
	bash scripts/contract-lint.sh

## make security: bandit over service/ (no medium/high finding) and pip-audit over requirements.txt
## (scripts/security-audit.sh; fails when pip-audit's vulnerability service cannot be reached)
.PHONY: security
security: install-dev
	bash scripts/security-audit.sh

## make contract URL=... TOKEN=...: the full schemathesis suite (every check, every phase)
## against a running deployment, with a write token; settings in schemathesis.toml
.PHONY: contract
EXAMPLES ?= 10
contract: install-dev
	@test -n "$(URL)" || { echo "usage: make contract URL=http://host:port TOKEN=<write token>"; exit 2; }
	$(BIN)/schemathesis run openapi.yaml --url "$(URL)" --checks all --max-examples $(EXAMPLES) \
		$(if $(TOKEN),--header "Authorization: Bearer $(TOKEN)")
