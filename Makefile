# venturematch — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run test lint typecheck contracts pytest browser-deps nginx-deps fuzz clean

install: $(STAMP)

# Re-install only when the project's dependencies change; a fresh clone always installs.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "venturematch needs Python 3.11 or newer; found " + sys.version.split()[0])'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1"
	$(BIN)/python -m pip install --quiet -e . --group dev
	@touch $(STAMP)

run: install
	$(BIN)/python -m webapp.stack

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

contracts: install
	$(BIN)/lint-imports

browser-deps:
	@sh scripts/ensure-chromium

nginx-deps:
	@sh scripts/ensure-nginx

pytest: install browser-deps nginx-deps
	$(BIN)/python -m pytest

test: install browser-deps nginx-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python -m pytest --durations=15

# Schemathesis against a running stack as every role (>= 5,000 requests): `make fuzz` starts its
# own; `make fuzz URL=http://127.0.0.1:5000` fuzzes one already running (its data gets changed).
fuzz: install
	$(BIN)/python -m tests.fuzz $(if $(URL),--base-url $(URL)) $(FUZZ_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache
