# Two commands on a fresh machine: `make demo` and `make test`.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint dbt-duckdb dbt-postgres pytest benchmark clean

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

demo: setup
	$(VENV)/bin/lifecycle demo

test: setup
	$(VENV)/bin/python -m pytest -q

lint: setup
	LIFECYCLE_DUCKDB_PATH=:memory: $(VENV)/bin/sqlfluff lint models tests

# SCALE=m make benchmark; exports are cached in ~/.cache/lifecycle/exports
SCALE ?= s
benchmark: setup
	$(VENV)/bin/lifecycle bench --scale $(SCALE)

clean:
	rm -rf $(VENV) target logs warehouse
