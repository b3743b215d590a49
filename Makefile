# One entry point for people and CI. `make demo` and `make test` each build what they need first.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
COLLECTIONS := $(CURDIR)/.build/collections
LINK := $(COLLECTIONS)/ansible_collections/protonkit/accounts

# Everything run from here sees the checkout as protonkit.accounts, and amazon.aws from the venv.
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export PATH := $(BIN):$(PATH)
export PYTHONDONTWRITEBYTECODE := 1
# Ansible's and Molecule's own files (temporary files, caches, Molecule's scenario directories) stay in .build, never
# in ~/.ansible (tests/conftest.py checks it).
export ANSIBLE_HOME := $(CURDIR)/.build/ansible-home
export ANSIBLE_LOCAL_TEMP := $(ANSIBLE_HOME)/tmp
export ANSIBLE_REMOTE_TEMP := $(ANSIBLE_HOME)/tmp
# uv (make setup, tools/toolchain.sh) reads none of pip's settings: an index given to pip in the environment is given
# to uv too. (One given only in pip.conf is not: uv then installs from PyPI, or fails and pip takes over.)
ifdef PIP_INDEX_URL
export UV_INDEX_URL ?= $(PIP_INDEX_URL)
endif
ifdef PIP_EXTRA_INDEX_URL
export UV_EXTRA_INDEX_URL ?= $(PIP_EXTRA_INDEX_URL)
endif
ifdef PIP_FIND_LINKS
export UV_FIND_LINKS ?= $(PIP_FIND_LINKS)
endif

.PHONY: help setup lock link demo benchmark test test-unit test-localaws test-integration test-toolchains sanity \
	sanity-newest lint galaxy docs molecule clean

help:
	@echo "make demo             - start the local AWS, bootstrap a small organization, show the result"
	@echo "make test             - the whole test suite (what CI runs): every suite below, each timed"
	@echo "make benchmark        - protonkit.accounts vs amazon.aws and the boto3 floor, written to docs/performance.md"
	@echo "make setup            - build .venv (Python 3.12+, with tools/localaws installed) and the collection link tree"
	@echo "make link             - only the link tree that makes the checkout protonkit.accounts (part of setup)"
	@echo "make lock             - re-pin requirements/constraints.txt from requirements/dev.in"
	@echo "make test-unit        - unit tests (tests/unit)"
	@echo "make test-localaws    - the local AWS's own tests (tests/localaws)"
	@echo "make test-integration - modules, inventory and playbooks through ansible-playbook (tests/integration)"
	@echo "make test-toolchains  - the oldest toolchain end to end, and untrusted names on the oldest and the newest (tests/toolchains)"
	@echo "make molecule         - every Molecule scenario, then the secret-hygiene check"
	@echo "make lint             - ansible-lint, production profile"
	@echo "make sanity           - ansible-test sanity on every ansible-core from the oldest supported to the newest"
	@echo "make sanity-newest    - ansible-test sanity on the .venv's ansible-core only (every test)"
	@echo "make sanity-core-2.18 - ansible-test sanity on one older core (its core-dependent tests)"
	@echo "make galaxy           - build the Galaxy artifact, import-check, install and run it"
	@echo "make docs             - the generated reference is up to date and lint-clean"
	@echo "make clean            - remove .venv and .build"

setup: $(STAMP) link

# The venv runs on Python 3.12 or newer (ansible-core 2.21 needs it), found by tools/find_python.sh: PYTHON=...
# overrides. Rebuilt only when a requirements file changes (from scratch when the venv's Python is too old).
$(STAMP): requirements/constraints.txt requirements/dev.in requirements/runtime.txt requirements/installer.txt \
		tools/localaws/pyproject.toml
	if ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
	    rm -rf $(VENV); python=$$(tools/find_python.sh 3.12+); echo "make setup: $$python"; $$python -m venv $(VENV); \
	fi
	# uv (requirements/installer.txt) installs the pinned toolchain: on a fresh machine 7 s where pip took 80, on the
	# critical path of make test. It reads no pip.conf, so when it can't install (an index configured only there),
	# pip does.
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-compile -r requirements/installer.txt
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements/dev.in -c requirements/constraints.txt || \
	    $(BIN)/python -m pip install --quiet --disable-pip-version-check --no-compile \
	        -r requirements/dev.in -c requirements/constraints.txt
	# The local AWS (tools/localaws), importable as `localaws` from anywhere in the venv; editable: the code stays there.
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-compile --no-deps --no-build-isolation \
	    -e tools/localaws
	# Byte-compiled on every core at once, and not the ~15,000 files of the collections the ansible package bundles
	# that nothing here imports (only amazon.aws and ansible.posix are): set-up took a fifth longer otherwise.
	$(BIN)/python -m compileall -q -j 0 -x '/ansible_collections/(?!amazon/aws/|ansible/posix/)' \
	    $$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')
	touch $@

# Re-pin the toolchain from requirements/dev.in (run on the supported Python, then commit).
lock:
	rm -rf $(CURDIR)/.build/lock-venv
	$$(tools/find_python.sh 3.12+) -m venv $(CURDIR)/.build/lock-venv
	$(CURDIR)/.build/lock-venv/bin/pip install --quiet -r requirements/dev.in
	{ echo "# Generated by 'make lock' from requirements/dev.in on Python $$($(CURDIR)/.build/lock-venv/bin/python -c \
	    'import sys; print("%d.%d" % sys.version_info[:2])'). Do not edit by hand."; \
	  $(CURDIR)/.build/lock-venv/bin/pip freeze --exclude-editable; } > requirements/constraints.txt

link: $(LINK)
$(LINK):
	mkdir -p $(dir $(LINK))
	ln -sfn $(CURDIR) $(LINK)

demo: setup
	$(BIN)/python tools/demo.py

# Side by side with the amazon.aws way and the boto3 floor, in three regions, the cost of a region at N = 50, and (a) at
# N = 50 and 200 (about half an hour on 2 idle cores; not part of make test). Results: docs/performance.md.
BENCHMARK_REGIONS := us-east-1,eu-west-1,ap-southeast-2
benchmark: setup
	$(BIN)/python benchmarks/bootstrap_benchmark.py --accounts 1,10,50 --regions $(BENCHMARK_REGIONS) \
	    --regions-accounts 50 --scale-accounts 50,200 --markdown docs/performance.md

# Two lanes at once (tools/test_lanes.sh): the integration suite, which keeps both cores busy, beside everything else,
# much of which is single-threaded or waits on PyPI. Each suite's output is printed whole when it ends, with its time
# (the whole must stay under 25 minutes on 2 cores). TEST_SUITES="a b" runs only those, one after the other.
TEST_LANES := test-integration|test-unit test-localaws test-toolchains molecule lint sanity galaxy docs
TEST_SUITES :=
test: setup
	@if [[ -n "$(TEST_SUITES)" ]]; then tools/test_lanes.sh "$(TEST_SUITES)"; \
	else IFS='|' read -r -a lanes <<< "$(TEST_LANES)"; tools/test_lanes.sh "$${lanes[@]}"; fi

test-unit: setup
	$(BIN)/python -m pytest -q tests/unit

test-localaws: setup
	$(BIN)/python -m pytest -q tests/localaws

test-integration: setup
	$(BIN)/python -m pytest -q -n 2 --dist worksteal tests/integration

# The end-to-end path (inventory plugin, bootstrap, rerun, teardown) through the oldest toolchain we support
# (tools/toolchain.sh oldest: ansible-core 2.17, amazon.aws and boto3 at our floors, Python 3.11; the newest runs it in
# tests/integration), and organization names that look like templates, on both ends.
test-toolchains: setup
	PROTONKIT_OLDEST_BIN=$$(tools/toolchain.sh oldest) $(BIN)/python -m pytest -q -n 2 tests/toolchains

# ansible-test sanity with the venv's ansible-core and with each older release we support (requirements/sanity-cores.txt),
# two at a time (each is single-threaded); each core's output is printed whole when it finishes (-O).
SANITY_CORES := $(shell sed -n 's/^ansible-core==\([0-9]*\.[0-9]*\)\..*/\1/p' requirements/sanity-cores.txt)
sanity: setup
	$(MAKE) --no-print-directory -j 2 -O sanity-newest $(addprefix sanity-core-,$(SANITY_CORES))

sanity-newest: setup
	tools/sanity.sh

sanity-core-%: setup
	SANITY_CORE=$* tools/sanity.sh

lint: setup
	tools/lint.sh

molecule: setup
	tools/molecule.sh

# The generated reference in docs/reference is lint-clean and up to date (tools/docs.sh regenerates it).
docs: setup
	tools/docs.sh --check

# Build the Galaxy artifact, run galaxy-importer on it, install it into an empty path and use it from there.
galaxy: setup
	tools/galaxy_check.sh

clean:
	rm -rf $(CURDIR)/.build $(VENV)
