# Quick start: `make run` serves the panel, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8080
export FLASK_APP := app

.PHONY: run setup test serve clean-venv translations chromium

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

## translations: compile babel/**/messages.po (the .mo files are built, not kept in git)
translations: $(VENV)/.installed
	$(BIN)/flask translations compile

## setup: migrate the schema, sync permissions, load reference data, create the admin once
setup: $(VENV)/.installed translations
	$(BIN)/flask setup

## run: the panel on http://127.0.0.1:8080 (embedded SQLite unless DATABASE_URL is set)
run: setup
	$(BIN)/flask run --host $(HOST) --port $(PORT)

## serve: production — migrate and sync permissions once (flask setup), then gunicorn with several
## workers (gunicorn.conf.py; BIND or HOST/PORT, WEB_CONCURRENCY, REDIS_URL, DATABASE_URL from the environment)
serve: setup
	HOST=$(HOST) PORT=$(PORT) $(BIN)/gunicorn -c gunicorn.conf.py

## test: the whole suite (SQLite; set TEST_DATABASE_URL for PostgreSQL), browser journeys included
test: $(VENV)/.installed-dev translations chromium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## chromium: Debian's chromium and a Chinese font for the browser journeys, when missing (as root).
## Without them the journeys skip with the reason; Playwright never downloads a browser.
chromium:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list :lang=zh 2>/dev/null | grep -q .; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      --no-install-recommends chromium fonts-wqy-microhei >/dev/null) \
	    || echo "chromium could not be installed: the browser journeys will skip"; \
	  else echo "chromium missing and not root: the browser journeys will skip"; fi; \
	fi

clean-venv:
	rm -rf $(VENV)
