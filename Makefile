# Two commands on a fresh machine: `make demo` and `make test`.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# a DuckDB 1.x client, as BI tools bundle it: the tests open the published file and the Parquet export
# with it. Its own venv and lock file: one environment cannot hold duckdb 2.x and 1.x
DUCKDB1_VENV := .venv-duckdb1
DUCKDB1_STAMP := $(DUCKDB1_VENV)/.installed

.PHONY: setup demo test lint dbt-duckdb dbt-postgres pytest benchmark clean

setup: $(STAMP) $(DUCKDB1_STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

$(DUCKDB1_STAMP): requirements-duckdb1.lock
	test -x $(DUCKDB1_VENV)/bin/python || python3 -m venv $(DUCKDB1_VENV)
	$(DUCKDB1_VENV)/bin/python -m pip install --quiet -r requirements-duckdb1.lock
	touch $(DUCKDB1_STAMP)

demo: setup
	$(VENV)/bin/lifecycle demo

# two workers, each test module on one worker (its module fixtures built once)
test: setup
	$(VENV)/bin/python -m pytest -q -n 2 --dist loadfile

lint: setup
	LIFECYCLE_DUCKDB_PATH=:memory: $(VENV)/bin/sqlfluff lint models tests analyses

# SCALE=m make benchmark; exports are cached in ~/.cache/lifecycle/exports
SCALE ?= s
benchmark: setup
	$(VENV)/bin/lifecycle bench --scale $(SCALE)

clean:
	rm -rf $(VENV) $(DUCKDB1_VENV) target logs warehouse
