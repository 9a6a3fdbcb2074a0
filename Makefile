# Bai Mei — every command sets up what it needs (Debian packages, a virtual environment) and is quick when it is
# already there. Run as root or with sudo available for the apt step.

SHELL := /bin/bash
PLUGIN := bai_mei_plugin
VERSION := $(shell sed -n 's/^version=//p' metadata.txt)
VENV := .venv
VENV_QT6 := .venv-qt6
PY := $(VENV)/bin/python
APT_PACKAGES := python3-qgis qgis-providers qgis xvfb python3-venv python3-pip python3-numpy python3-shapely python3-requests \
	postgresql postgis python3-psycopg2 \
	python3-scipy zip poppler-utils pyqt5-dev-tools qttools5-dev-tools
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
QGIS_PROFILE ?= default
QGIS_PROFILES_DIR ?= $(HOME)/.local/share/QGIS/QGIS3/profiles
TEST_ENV := QT_QPA_PLATFORM=offscreen QGIS_OPTS= PYTHONDONTWRITEBYTECODE=1
PYTEST_ARGS ?=
# the unit tests run on both cores (pytest-xdist); `make test WORKERS=0` runs them in one process. The QGIS tests
# share one QGIS application and project per process, as the plugin does in QGIS, and run in one process.
WORKERS ?= 2

.PHONY: scenes demo test test-unit test-qgis test-desktop test-matrix lint format bench package release install setup clean \
	translations

demo: $(VENV)/.ready
	$(TEST_ENV) $(PY) -m $(PLUGIN).demo --output demo-output

test: $(VENV)/.ready lint
	$(TEST_ENV) $(PY) -m pytest -p no:qgis -q -n $(WORKERS) tests/unit $(PYTEST_ARGS)
	$(TEST_ENV) $(PY) -m pytest -q tests/qgis tests/desktop $(PYTEST_ARGS)

test-unit: $(VENV)/.ready
	$(TEST_ENV) $(PY) -m pytest -p no:qgis -q -n $(WORKERS) tests/unit $(PYTEST_ARGS)

test-qgis: $(VENV)/.ready
	$(TEST_ENV) $(PY) -m pytest -q tests/qgis $(PYTEST_ARGS)

test-desktop: $(VENV)/.ready
	$(TEST_ENV) $(PY) -m pytest -q tests/desktop $(PYTEST_ARGS)

# QGIS 3.40 (Debian trixie) and 3.44 (sid) in debootstrap chroots cached under /var/cache/bai-mei-matrix; needs root.
# SUITES="trixie" to test one. First run builds the chroots (~5 min each), then the tests run in each.
test-matrix:
	$(SUDO) env SUITES="$(or $(SUITES),trixie sid)" PYTEST_ARGS="$(PYTEST_ARGS)" tests/matrix/run_matrix.sh

# The SYNTHETIC very-high-resolution scenes of the demo catalogue (resources/scenes), made by numpy and GDAL; the same
# seed gives the same bytes (tests/unit/test_scenes.py checks the committed ones).
scenes: $(VENV)/.ready
	$(TEST_ENV) $(PY) -m $(PLUGIN).demo.scenes resources/scenes

# ruff (lint and formatting), the architecture's import contracts (pyproject.toml [tool.importlinter]), Bandit, and
# QGIS 4 readiness (tests/qt6/check.py): every enum value scoped, and every Qt name resolving under PyQt6.
lint: $(VENV)/.ready $(VENV_QT6)/.ready
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/bandit -q -r $(PLUGIN) -c pyproject.toml
	$(TEST_ENV) $(PY) -m tests.qt6.check --qgis
	$(VENV_QT6)/bin/python -m tests.qt6.check --pyqt6

format: $(VENV)/.ready
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

bench: $(VENV)/.ready
	$(TEST_ENV) $(PY) -m tests.bench.bench_gaps
	$(TEST_ENV) $(PY) -m tests.bench.bench_encounters
	$(TEST_ENV) $(PY) -m pytest -q -s tests/bench/bench_gui.py
	$(TEST_ENV) $(PY) -m tests.bench.bench_kml
	$(TEST_ENV) $(PY) -m tests.bench.bench_scoring
	$(TEST_ENV) $(PY) -m tests.bench.bench_nmea
	$(TEST_ENV) $(PY) -m tests.bench.bench_export
	$(TEST_ENV) $(PY) -m tests.bench.bench_sar
	$(TEST_ENV) $(PY) -m tests.bench.bench_port_index
	$(TEST_ENV) $(PY) -m tests.bench.bench_dask --rows 50000000 --compare-rows 50000000
	$(TEST_ENV) $(PY) -m tests.bench.bench_postgis --rows 50000000 --compare-rows 50000000
	$(TEST_ENV) $(PY) -m tests.bench.bench_buckets
	$(TEST_ENV) $(PY) -m tests.bench.bench_table

setup: $(VENV)/.ready

# No Qt6 QGIS installs on Debian: a separate environment with PyQt6 from pip (no QGIS, no system packages) for the
# PyQt6 check of `make lint`.
$(VENV_QT6)/.ready: requirements-qt6.txt
	@[ -x $(VENV_QT6)/bin/python ] || /usr/bin/python3 -m venv $(VENV_QT6)
	$(VENV_QT6)/bin/python -m pip install -q --disable-pip-version-check -r requirements-qt6.txt
	@touch $@

# Debian packages: installed only when one is missing.
$(VENV)/.apt:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@mkdir -p $(VENV) && touch $@

# The virtual environment sees Debian's QGIS, numpy, shapely and scipy; pip adds the test tools only.
$(VENV)/.ready: $(VENV)/.apt requirements-dev.txt
	@[ -x $(PY) ] || /usr/bin/python3 -m venv --system-site-packages $(VENV)
	@/usr/bin/python3 -c "import numpy; print('numpy==' + numpy.__version__)" > $(VENV)/constraints.txt
	$(PY) -m pip install -q --disable-pip-version-check -c $(VENV)/constraints.txt -r requirements-dev.txt
	@$(PY) -c "import numpy, qgis.core; assert numpy.__file__.startswith('/usr/lib'), numpy.__file__"
	@touch $@

# The installable plugin folder: the package plus metadata.txt and resources/ inside it, as QGIS expects.
build/$(PLUGIN): $(shell find $(PLUGIN) resources -type f -not -path '*/__pycache__/*') metadata.txt LICENSE
	rm -rf $@ && mkdir -p $@
	cp -r $(PLUGIN)/. $@/
	cp -r resources $@/resources
	cp metadata.txt LICENSE $@/
	find $@ -name '__pycache__' -prune -exec rm -rf {} +
	for ts in resources/i18n/*.ts; do lrelease -silent $$ts -qm $@/resources/i18n/$$(basename $${ts%.ts}).qm; done

# Translations: the plugin's tr() strings and Designer pages into resources/i18n/bai_mei_<lang>.ts (for translators,
# e.g. with Qt Linguist), and the compiled .qm files the plugin loads for QGIS's language. LANGUAGES="fr de" adds some.
LANGUAGES ?= $(or $(patsubst resources/i18n/bai_mei_%.ts,%,$(wildcard resources/i18n/bai_mei_*.ts)),fr)
translations: $(VENV)/.apt
	pylupdate5 -noobsolete $$(find $(PLUGIN) -name '*.py' -o -name '*.ui' | sort) \
	  -ts $(foreach lang,$(LANGUAGES),resources/i18n/bai_mei_$(lang).ts)
	for ts in resources/i18n/*.ts; do lrelease -silent $$ts -qm $${ts%.ts}.qm; done

# The addresses plugins.qgis.org shows (and requests): given on the make command line, e.g.
#   make release HOMEPAGE=https://github.com/OWNER/bai-mei TRACKER=https://github.com/OWNER/bai-mei/issues \
#                REPOSITORY=https://github.com/OWNER/bai-mei EMAIL=maintainer@their.domain
# and written into the build's metadata.txt; metadata.txt keeps the placeholders @HOMEPAGE@, @TRACKER@, @REPOSITORY@
# and @EMAIL@ for those not given. Only command-line values count: an EMAIL in the environment (git's, Debian's) is
# someone's own address, not the plugin's.
RELEASE_KEYS := HOMEPAGE TRACKER REPOSITORY EMAIL
quote = '$(subst ','\'',$(1))'
cli_value = $(if $(filter command line,$(origin $(1))),$($(1)))
define fill_metadata
	@$(foreach key,$(RELEASE_KEYS),META_$(key)=$(call quote,$(call cli_value,$(key)))) awk -F= ' \
	  { key = toupper($$1); value = ENVIRON["META_" key] } \
	  key ~ /^(HOMEPAGE|TRACKER|REPOSITORY|EMAIL)$$/ && value != "" { print $$1 "=" value; next } \
	  { print }' metadata.txt > build/$(PLUGIN)/metadata.txt
endef
# Refuses a placeholder, an example.org/.com/.net address, a URL that is not http(s) and an e-mail without a domain.
define check_metadata
	@awk -F= ' \
	  function refuse(why) { \
	    printf "make release: %s in build/$(PLUGIN)/metadata.txt: %s. Give it as make release %s=...\n", \
	      $$1, why, toupper($$1) > "/dev/stderr"; bad = 1 } \
	  $$1 ~ /^(homepage|tracker|repository|email)$$/ { \
	    value = substr($$0, length($$1) + 2); seen[$$1] = 1; \
	    if (value == "" || value ~ /^@[A-Z]+@$$/) refuse("still the placeholder \"" value "\""); \
	    else if (tolower(value) ~ /(^|[@.\/])example\.(org|com|net)([\/:]|$$)/) \
	      refuse("an example address (\"" value "\") where a real one is expected"); \
	    else if ($$1 != "email" && value !~ /^https?:\/\/[^\/ ]+\.[^\/ ]+/) \
	      refuse("expected an http(s) URL, found \"" value "\""); \
	    else if ($$1 == "email" && value !~ /^[^@ ]+@[^@ ]+\.[^@ ]+$$/) \
	      refuse("expected an e-mail address, found \"" value "\"") } \
	  END { split("homepage tracker repository email", keys, " "); \
	    for (i = 1; i <= 4; i++) if (!(keys[i] in seen)) { \
	      printf "make release: metadata.txt has no %s= line.\n", keys[i] > "/dev/stderr"; bad = 1 } \
	    exit bad }' build/$(PLUGIN)/metadata.txt
endef
define zip_plugin
	mkdir -p dist && rm -f dist/$(PLUGIN)-$(VERSION).zip
	cd build && zip -qr ../dist/$(PLUGIN)-$(VERSION).zip $(PLUGIN)
	@echo "dist/$(PLUGIN)-$(VERSION).zip"
endef

package: $(VENV)/.apt build/$(PLUGIN)
	$(fill_metadata)
	$(zip_plugin)

# The zip for plugins.qgis.org: as package, refused (and no zip made) while an address is a placeholder or an example.
release: $(VENV)/.apt build/$(PLUGIN)
	@rm -f dist/$(PLUGIN)-$(VERSION).zip  # so that a refused release leaves no earlier zip to be mistaken for it
	$(fill_metadata)
	$(check_metadata)
	$(zip_plugin)

install: build/$(PLUGIN)
	mkdir -p "$(QGIS_PROFILES_DIR)/$(QGIS_PROFILE)/python/plugins"
	rm -rf "$(QGIS_PROFILES_DIR)/$(QGIS_PROFILE)/python/plugins/$(PLUGIN)"
	cp -r build/$(PLUGIN) "$(QGIS_PROFILES_DIR)/$(QGIS_PROFILE)/python/plugins/$(PLUGIN)"
	@echo "Installed into $(QGIS_PROFILES_DIR)/$(QGIS_PROFILE)/python/plugins/$(PLUGIN); enable it in Plugins > Manage."

clean:
	rm -rf build dist demo-output test-output bench-output .pytest_cache .ruff_cache
