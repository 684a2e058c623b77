# The front door. Every target bootstraps .venv from the requirements files first.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)

.PHONY: run stop sms reply test lint unit functional e2e fuzz bench package docs report clean browser

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || { echo "creating $(VENV) with $$(python3 --version)"; python3 -m venv $(VENV); }
	@$(PY) -m infra.local.venv_install requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $@

run: $(STAMP)            ## local stack with demo data on http://127.0.0.1:8000
	$(PY) -m infra.local

stop:                    ## stop the stack `make run` started (SIGTERM; gone within 5 s)
	$(PY) -m infra.local.stop

sms:                     ## follow the local stack's SMS: time, recipient role, masked phone, text
	$(PY) -m infra.local.sms_view

reply:                   ## a customer's SMS reply to the local stack: make reply PHONE=138… TEXT=2
	$(PY) -m infra.local.reply "$(PHONE)" "$(TEXT)"

test: lint browser       ## lint + every test (what CI runs)
	$(PY) -m pytest tests

browser:                 ## what tests open files with: headless Chromium, LibreOffice Calc (Debian's, as root)
	@{ command -v chromium && command -v soffice; } >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian's chromium, CJK fonts and LibreOffice Calc for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      --no-install-recommends chromium fonts-noto-cjk libreoffice-calc-nogui >/dev/null; \
	  else echo "no chromium/soffice and not root: browser tests will skip (CI fails them)"; fi; }

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

unit: $(STAMP)
	$(PY) -m pytest tests/unit

functional: $(STAMP)
	$(PY) -m pytest tests/functional

e2e: $(STAMP)
	$(PY) -m pytest tests/e2e

fuzz: $(STAMP)           ## schemathesis: 2,000 cases against a local stack; 0 server errors
	YUNGE_FUZZ_CASES=$${YUNGE_FUZZ_CASES:-2000} $(PY) -m pytest tests/e2e/test_schemathesis.py -q -s

bench: $(STAMP)          ## benchmarks: ratios against floors measured in the same run
	$(PY) -m bench

docs: $(STAMP)           ## docs/API.md from the app's OpenAPI document (a test fails when stale)
	$(PY) -m infra.docs

package: $(STAMP)        ## build/template.json for AWS
	$(PY) -m infra.package

screenshots: $(STAMP) browser  ## the README's page screenshots (docs/screenshots), fresh stack
	$(PY) -m infra.local.screenshots

report: $(STAMP)         ## make report [MONTH=YYYY-MM] (default: last month; the running local stack)
	$(PY) -m infra.local.report $(MONTH)

clean:
	rm -rf build .local .pytest_cache .mypy_cache .ruff_cache
