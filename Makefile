# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ASSETS := node_modules/.installed
PORT ?= 8501

.PHONY: run test lint sample bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

# Leaflet and plugins, served locally so maps work without CDNs (optional: without npm,
# maps fall back to the CDNs).
$(ASSETS): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --loglevel=error && touch $(ASSETS); \
	else \
		echo "npm not found: maps will load Leaflet from its CDN"; \
	fi

run: $(STAMP) $(ASSETS)
	$(BIN)/streamlit run app.py --server.address 127.0.0.1 --server.port $(PORT) --server.headless true

test: $(STAMP) $(ASSETS)
	$(BIN)/ruff check hotspots tests benchmarks app.py
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check hotspots tests benchmarks app.py

sample: $(STAMP)
	$(BIN)/hotspots sample --out data

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_methods.py
	@if [ -f benchmarks/bench_trends.py ]; then $(BIN)/python benchmarks/bench_trends.py; fi

clean:
	rm -rf $(VENV) .pytest_cache
