# Two commands set everything up on a fresh machine:
#   make run    creates .venv, installs caddie, trains the models if needed and starts the bot
#   make test   creates .venv, installs caddie with its test tools and runs the test suite
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: run test train evaluate bench install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python -m bot

# tests/test_postgres.py runs against a throwaway local server when tests/postgres.sh can start one, else skips
PGTEST = tests/postgres.sh

test: $(STAMP)
	@url=$$(bash $(PGTEST)); \
	if [ -n "$$url" ]; then \
		trap 'bash $(PGTEST) stop' EXIT; trap 'exit 130' INT TERM; \
		$(BIN)/python -c "import psycopg" 2>/dev/null || $(BIN)/pip install --quiet -e ".[dev,postgres]"; \
		echo "PostgreSQL test server: $$url"; export TEST_DATABASE_URL="$$url"; \
	else echo "no local PostgreSQL server: the PostgreSQL tests will skip"; fi; \
	$(BIN)/python -m pytest

train: $(STAMP)
	$(BIN)/python -m ml.train

evaluate: $(STAMP)
	$(BIN)/python -m ml.evaluate --json

bench: $(STAMP)
	$(BIN)/python -m ml.benchmark

clean:
	rm -rf $(VENV) models var
