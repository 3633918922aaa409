# Relais: the two commands of the README, and a few helpers.
#   make run    the product with demo content (admin :8000, static site :8001, worker, scheduler)
#   make test   the whole test suite (browser tests included)
#   make site   build the static site from content/ alone
#   make check  lint, formatting, migrations and the production deployment checks (CI runs it)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
N ?= 10000
SITES ?= 100
ITEMS ?= 500

.PHONY: run test site bench lint check install chromium node clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev,postgres,rq,s3,production]'
	touch $@

install: $(INSTALLED)

run: install
	$(BIN)/python manage.py run_relais

site: install
	$(BIN)/python -m relais build

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests (apt)..."; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; }

node:
	@command -v npm >/dev/null 2>&1 && command -v g++ >/dev/null 2>&1 || { \
	  echo "Installing Node.js, npm and a C++ compiler for Bluesky's test server (apt)..."; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm g++ >/dev/null; }

test: install chromium node
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# What CI checks beside the tests: lint, formatting, migrations in step with the models, and
# the production settings passing Django's deployment checks (with throwaway secrets).
check: lint
	$(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=cms.settings.production \
	  RELAIS_SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	  RELAIS_CREDENTIALS_KEY="$$($(BIN)/python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" \
	  RELAIS_EMAIL_HOST=smtp.example.org RELAIS_ALLOWED_HOSTS=cms.example.org \
	  RELAIS_CMS_URL=https://cms.example.org RELAIS_SITE_URL=https://alumni.example.org \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

bench: install
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python -m benchmarks.run --n $(N) --speedup
	$(BIN)/python -m benchmarks.watch
	$(BIN)/python -m benchmarks.federation --sites $(SITES) --items $(ITEMS)
	$(BIN)/python -m benchmarks.serving
	$(BIN)/python -m benchmarks.fanout

clean:
	rm -rf site/output site/builds site/cache var
