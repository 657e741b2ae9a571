# Binôme — two commands for a newcomer: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1:8000

# Find a Python >= 3.12. On pyenv machines `python3.12` is a shim that needs PYENV_VERSION.
define find_python
for candidate in "python3.13" "python3.12" "PYENV_VERSION=3.12.1 python3.12" "python3"; do \
  if env $$candidate -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
    echo "$$candidate"; exit 0; \
  fi; \
done; exit 1
endef

.PHONY: run test lint fmt install migrate seed clean bench loadtest code restore-drill

$(STAMP): pyproject.toml requirements.lock package.json package-lock.json
	@if [ ! -x $(PY) ]; then \
	  python=$$($(find_python)) || { echo "Binôme a besoin de Python 3.12 ou plus récent : aucun n'a été trouvé (python3.13, python3.12, python3). Installez-le puis relancez « make run »." >&2; exit 1; }; \
	  echo "Création de l'environnement virtuel avec : $$python"; \
	  env $$python -m venv $(VENV); \
	fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements.lock -e ".[dev]"
	@# axe-core for the browser accessibility tests (tests/browser), when npm is there.
	@if command -v npm >/dev/null 2>&1; then npm ci --silent --no-audit --no-fund; \
	else echo "npm absent : axe-core n'est pas installé (tests d'accessibilité dans le navigateur)."; fi
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	BINOME_SITE_URL=$${BINOME_SITE_URL:-http://$(HOST)} $(PY) manage.py seed_demo

run: seed
	@echo "Binôme : http://$(HOST)/ (Ctrl+C pour arrêter)"
	BINOME_SITE_URL=$${BINOME_SITE_URL:-http://$(HOST)} $(PY) manage.py runserver $(HOST)

# The demo's second-factor codes (admin and auditor logins).
code: install
	$(PY) manage.py demo_totp

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy config partners casework orientation bench manage.py
	$(VENV)/bin/djlint templates --check
	$(VENV)/bin/djlint templates --lint
	$(VENV)/bin/lint-imports
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run

fmt: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
	$(VENV)/bin/djlint templates --reformat

# Measure a large department (docs/performance.md). PostgreSQL only: DATABASE_URL must name a
# database kept for it; it is loaded by seed_scale the first time. ARGS="--people 2000" to scale;
# ARGS="--seulement-api" for the partner API's part alone (listing by cursor, appointment writes).
bench: install
	@if [ -z "$$DATABASE_URL" ]; then echo "make bench mesure PostgreSQL : définissez DATABASE_URL (une base dédiée)." >&2; exit 1; fi
	@# The bulk load of a large department runs statements longer than production's 20 s limit.
	DATABASE_STATEMENT_TIMEOUT=$${DATABASE_STATEMENT_TIMEOUT:-0} $(PY) -m bench $(ARGS)

# gunicorn with the production settings under locust at 8, 32 and 64 users (docs/performance.md,
# « Essai de charge »). A dedicated PostgreSQL database, seeded like make bench; not in CI.
# LOADTEST_SECONDS per step (60); ARGS="--people 2000 --users 8,32,64".
loadtest: install
	@if [ -z "$$DATABASE_URL" ]; then echo "make loadtest mesure PostgreSQL : définissez DATABASE_URL (une base dédiée)." >&2; exit 1; fi
	DATABASE_STATEMENT_TIMEOUT=$${DATABASE_STATEMENT_TIMEOUT:-0} $(PY) -m bench.loadtest $(ARGS)

# The restore drill (docs/deployment.md, § 10): dump, restore into a new database, verify the
# journal there against the published heads. PostgreSQL only. ARGS="--published heads.json".
restore-drill: install
	@if [ -z "$$DATABASE_URL" ]; then echo "make restore-drill s'exerce sur PostgreSQL : définissez DATABASE_URL." >&2; exit 1; fi
	$(PY) manage.py restore_drill $(ARGS)

clean:
	rm -rf $(VENV) node_modules db.sqlite3 staticfiles
