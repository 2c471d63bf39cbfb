# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON  ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed-stamp
DEMO    := data/demo
PERIOD  := 2025-11

.PHONY: install java demo lint test bench clean notebooks walkthrough spark-up spark-down parity

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,spark]'
	touch $(STAMP)

## install: the virtualenv, and the Java runtime `--backend spark` needs (Debian's package, as root)
install: $(STAMP) java

JAVA_PACKAGE := openjdk-17-jre-headless
java:
	@command -v java >/dev/null || [ -x "$$JAVA_HOME/bin/java" ] || { \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    echo "installing $(JAVA_PACKAGE) for --backend spark"; \
	    apt-get update -qq && apt-get install -y -qq --no-install-recommends $(JAVA_PACKAGE) >/dev/null; \
	  else echo "warning: no Java runtime: --backend spark and its tests need $(JAVA_PACKAGE)"; fi; }

## spark-up / spark-down: a standalone Spark master and worker on 127.0.0.1 (prints the master URL)
spark-up: install
	$(BIN)/python -m pipelines.spark_cluster up

spark-down:
	$(BIN)/python -m pipelines.spark_cluster down

## parity: the backends against polars beyond `make test`, every table identical: each engine unit
## test on DuckDB; on Spark local[2] the other spec examples, the wide parity cities, a generated month
## on a standalone cluster and ten random generated months (random policies; EPERF_PARITY_SEED=n draws
## ten others). Spark's tests share one worker (one JVM), DuckDB's the other.
parity: install
	$(BIN)/python -m pytest -m "spark_wide or months or duckdb_units"

## demo: install, generate the Surabaya-size demo city (and what arrives late for October),
## run its latest month, print the summary
demo: install
	$(BIN)/eperf generate --out $(DEMO) --employees 20000 --seed 7 --months 2025-09,2025-10,2025-11 \
		--late-exports $(DEMO)-late
	$(BIN)/eperf run --data $(DEMO) --period $(PERIOD) --out out/demo/$(PERIOD)

## walkthrough: the README's HR and finance walk-through on the demo city, every step checked
walkthrough: install
	test -f $(DEMO)-late/eabsensi/attendance.csv || $(BIN)/eperf generate --out $(DEMO) --employees 20000 \
		--seed 7 --months 2025-09,2025-10,2025-11 --late-exports $(DEMO)-late
	$(BIN)/python -m pipelines.walkthrough --data $(DEMO) --late $(DEMO)-late --work out/walkthrough

## notebooks: run every analyst notebook on the demo city; HTML with figures in notebooks/html/
notebooks: install
	test -f $(DEMO)/policy.toml || $(BIN)/eperf generate --out $(DEMO) --employees 20000 --seed 7 --months 2025-09,2025-10,2025-11
	$(BIN)/python -m pipelines.analysis.notebooks

## lint: ruff on everything, mypy --strict on engine/ and pipelines/
lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

## test: lint, then the whole test suite (acceptance examples, rules, invariants, bad input, CLI,
## a Spark smoke test); the wider DuckDB and Spark parity is `make parity`
test: lint
	$(BIN)/python -m pytest

## bench: time `eperf run` against the floor and a pandas version (not a test).
## pandas gets a virtualenv of its own: installed beside eperf it would slow eperf's start-up
## (pandera imports pandas whenever it can).
PANDAS_VENV := data/bench/.venv-pandas

$(PANDAS_VENV)/bin/python:
	$(PYTHON) -m venv $(PANDAS_VENV)
	$(PANDAS_VENV)/bin/python -m pip install --quiet pandas pyarrow numpy

bench: install $(PANDAS_VENV)/bin/python
	$(BIN)/python bench/bench_run.py --employees 20000 200000 1000000 --pandas-python $(PANDAS_VENV)/bin/python

clean:
	rm -rf out $(DEMO) $(DEMO)-late data/bench .pytest_cache
