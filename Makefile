# Quick start: `make run` serves the panel, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8080
export FLASK_APP := app

.PHONY: run setup test serve clean-venv

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

## setup: migrate the schema, sync permissions, load reference data, create the admin once
setup: $(VENV)/.installed
	$(BIN)/flask setup

## run: the panel on http://127.0.0.1:8080 (embedded SQLite unless DATABASE_URL is set)
run: setup
	$(BIN)/flask run --host $(HOST) --port $(PORT)

## test: the whole suite (SQLite; set TEST_DATABASE_URL for PostgreSQL)
test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean-venv:
	rm -rf $(VENV)
