# The README's commands. `make example` sets up and solves the example spec; `make test` sets up
# and runs the tests; `make lint` runs ruff, mypy and import-linter (the one-way layers), and checks every spec against schema/spec.schema.json.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: setup example test quick lint bench netbox clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

# an editable install leaves the package uncompiled; compile it as pip does an installed package, so
# start-up does not compile ~170 modules on every run where bytecode is not written (PYTHONDONTWRITEBYTECODE)
setup: $(VENV)/.installed
	$(PY) -m compileall -q primeflex_iac > /dev/null

example: setup
	$(VENV)/bin/primeflex solve specs/customer.yaml

test: setup
	$(PY) -m pytest -q

# the quick loop while editing: no test marked slow (many solves) or needs_tool (Slurm, Chromium, ...)
quick: setup
	$(PY) -m pytest -q -m "not slow and not needs_tool"

lint: setup
	$(VENV)/bin/ruff check primeflex_iac tests benchmarks tools
	$(VENV)/bin/ruff format --check primeflex_iac tests benchmarks tools
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(VENV)/bin/check-jsonschema --schemafile schema/spec.schema.json $$(find specs -name '*.yaml' | sort)

bench: setup
	$(PY) benchmarks/solve_times.py

# a real NetBox for tests/export/test_netbox_import.py (root, about 10 minutes; see the README)
netbox:
	tools/netbox/setup.sh

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
