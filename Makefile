# Two commands a user needs: `make demo` and `make test`. Both build .venv once and reuse it.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test venv clean eval

$(STAMP): pyproject.toml
	@command -v $(PY) >/dev/null 2>&1 || { echo "need $(PY) on PATH (or run: make PY=python3 ...)"; exit 1; }
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	rm -f demo.db
	$(BIN)/tally ingest --db demo.db examples/reports.jsonl examples/txt
	$(BIN)/tally incidents --db demo.db
	$(BIN)/tally tallies --db demo.db
	@echo "Tally UI on the demo corpus: http://127.0.0.1:8000/  (JSON API: /api, schema /api/openapi.json; Ctrl-C stops it)"
	$(BIN)/tally serve --db demo.db --host 127.0.0.1 --port 8000

test: $(STAMP)
	$(BIN)/python -m pytest

eval: $(STAMP)
	$(BIN)/tally eval --split dev --report docs/ACCURACY-dev.md

clean:
	rm -rf $(VENV) demo.db
