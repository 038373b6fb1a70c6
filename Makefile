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

test: $(STAMP)
	$(BIN)/python -m pytest

train: $(STAMP)
	$(BIN)/python -m ml.train

evaluate: $(STAMP)
	$(BIN)/python -m ml.evaluate --json

bench: $(STAMP)
	$(BIN)/python -m ml.benchmark

clean:
	rm -rf $(VENV) models var
