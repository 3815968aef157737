# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ASSETS := node_modules/.installed
VENDOR := static/vendor/.installed
CHROMIUM := /usr/bin/chromium
PORT ?= 8501

.PHONY: run test lint sample bench clean system system-run apt

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

# The app's copies of those files: Streamlit serves static/ at /app/static/
# (server.enableStaticServing in .streamlit/config.toml) and hotspots.viz.assets.use_local_assets
# points the maps there. HOTSPOTS_ASSETS_MODE=local|cdn|auto chooses (auto: local if present).
$(VENDOR): $(ASSETS) hotspots/viz/assets.py | $(STAMP)
	@if [ -f node_modules/leaflet/dist/leaflet.js ]; then \
		$(BIN)/python -c 'from hotspots.viz.assets import copy_assets; copy_assets("static/vendor")' \
		&& touch $(VENDOR); \
	else \
		echo "no node_modules: the app's maps will load Leaflet from its CDN"; \
	fi

# Debian packages the tests use, installed only when missing: Chromium for the real-browser
# tests (never 'playwright install': the tests drive this browser), poppler-utils (pdftoppm,
# pdftotext) to check the evidence pack's PDF, gdal-bin (ogrinfo) to check its GeoPackage, and
# the HarfBuzz subsetter and a font for WeasyPrint's PDFs. Without root or apt-get the tests
# that need them skip and say why (HOTSPOTS_BROWSER_REQUIRED=1, set by .ci/run, makes a
# missing browser a failure).
# `make run` needs only the PDF renderer's libraries (PDF export in the app).
RUN_PACKAGES := libharfbuzz-subset0 fonts-dejavu-core
SYSTEM_PACKAGES := chromium chromium-driver poppler-utils gdal-bin $(RUN_PACKAGES)
system:
	@$(MAKE) --no-print-directory apt PACKAGES="$(SYSTEM_PACKAGES)"

system-run:
	@$(MAKE) --no-print-directory apt PACKAGES="$(RUN_PACKAGES)"

apt:
	@missing=""; for p in $(PACKAGES); do \
		dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then \
		echo "missing Debian packages:$$missing (need root and apt-get): some tests will skip"; \
	else \
		echo "Installing Debian packages:$$missing"; \
		{ apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; } \
		|| echo "apt-get could not install$$missing: some tests will skip"; \
	fi

run: $(STAMP) $(ASSETS) $(VENDOR) system-run
	$(BIN)/streamlit run app.py --server.address 127.0.0.1 --server.port $(PORT) --server.headless true

test: $(STAMP) $(ASSETS) $(VENDOR) system
	$(BIN)/ruff check hotspots tests benchmarks app.py
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check hotspots tests benchmarks app.py

sample: $(STAMP)
	$(BIN)/hotspots sample --out data

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_methods.py
	$(BIN)/python benchmarks/bench_trends.py
	$(BIN)/python benchmarks/bench_app.py
	$(BIN)/python benchmarks/bench_startup.py

clean:
	rm -rf $(VENV) .pytest_cache static/vendor tests/browser/static test-artifacts
