# Two commands set everything up on a fresh machine:
#   make run    creates .venv, installs caddie, trains the models if needed and starts the bot
#   make test   creates .venv, installs caddie with its test tools and runs the test suite
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed
DEVSTAMP = $(VENV)/.installed-dev

.PHONY: run test train evaluate bench install clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# make run: the runtime dependencies only
$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install --quiet -e .
	touch $(STAMP)

# make test: the runtime dependencies plus the test tools and the peers the evaluation compares with
$(DEVSTAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP) $(DEVSTAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python -m bot

# tests/test_postgres.py runs against a throwaway local server when tests/postgres.sh can start one, else skips
PGTEST = tests/postgres.sh

test: $(DEVSTAMP)
	@url=$$(bash $(PGTEST)); \
	if [ -n "$$url" ]; then \
		trap 'bash $(PGTEST) stop' EXIT; trap 'exit 130' INT TERM; \
		$(BIN)/python -c "import psycopg" 2>/dev/null || $(BIN)/pip install --quiet -e ".[dev,postgres]"; \
		echo "PostgreSQL test server: $$url"; export TEST_DATABASE_URL="$$url"; \
	else echo "no local PostgreSQL server: the PostgreSQL tests will skip"; fi; \
	$(BIN)/python -m pytest

train: $(STAMP)
	$(BIN)/python -m ml.train

evaluate: $(DEVSTAMP)
	$(BIN)/python -m ml.evaluate --json

bench: $(DEVSTAMP)
	$(BIN)/python -m ml.benchmark

clean:
	rm -rf $(VENV) models var
