#!/usr/bin/env bash
# ansible-test sanity on a clean copy of the collection (no Docker: --venv mode).
#
# ansible-test needs the collection at .../ansible_collections/<namespace>/<name> and resolves symlinks, so the
# link tree under .build/collections cannot be used: we copy the files git knows about (tracked, plus untracked
# ones that are not ignored) into .build/sanity/ansible_collections/protonkit/accounts, next to a copy of
# amazon.aws from the venv (our dependency, needed by the import and validate-modules tests).
#
# ansible-test keeps its per-test virtual environments (keyed by the requirements' hash) under ~/.ansible/test.
# We give it its own HOME in .build/sanity/home, so they are cached there: only the first run installs the sanity
# requirements from PyPI (about a minute), later runs reuse them. ansible-test bootstraps pip into each venv with
# get-pip.py from a host we cannot reach; tools/sanity/get_pip.py stands in for it from the same cache path.
#
# Older ansible-core releases we support (meta/runtime.yml requires_ansible) are checked too: SANITY_CORE=2.18
# runs the ansible-test of the release pinned in requirements/sanity-cores.txt, from its own toolchain venv
# (tools/toolchain.sh, built once), on its own copy of the collection and with its own HOME, so that several cores
# can run at once (`make sanity` runs two). The oldest core runs in the oldest leg's toolchain (Python 3.11), next
# to amazon.aws at our floor rather than the .venv's.
#
# Usage: [SANITY_CORE=2.17] tools/sanity.sh [extra ansible-test sanity arguments, e.g. --test pylint plugins/...]
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${ROOT}/.venv/bin"
SANITY_ROOT="${ROOT}/.build/sanity/ansible_collections"
CORE="${SANITY_CORE:-}"
if [[ -n "${CORE}" ]]; then
    SANITY_ROOT="${ROOT}/.build/sanity/core-${CORE}/ansible_collections"
fi
COPY="${SANITY_ROOT}/protonkit/accounts"

core_venv() {
    local oldest
    oldest="$(sed -n 's/^ansible-core==\([0-9]*\.[0-9]*\)\..*/\1/p' "${ROOT}/requirements/oldest.txt")"
    if [[ "${CORE}" == "${oldest}" ]]; then
        BIN="$("${ROOT}/tools/toolchain.sh" oldest)"
    else
        BIN="$("${ROOT}/tools/toolchain.sh" core "${CORE}")"
    fi
}

copy_collection() {
    # Start from an empty copy, except tests/output: ansible-test keeps its delegation venv there (reused).
    mkdir -p "${COPY}"
    find "${COPY}" -mindepth 1 -maxdepth 1 ! -name tests ! -name .git -exec rm -rf {} +
    if [[ -d "${COPY}/tests" ]]; then
        find "${COPY}/tests" -mindepth 1 -maxdepth 1 ! -name output -exec rm -rf {} +
    fi
    # -z: NUL-separated, safe for any file name; the filter drops files deleted but not yet committed.
    (cd "${ROOT}" && git ls-files -z -co --exclude-standard) |
        (cd "${ROOT}" && while IFS= read -r -d '' path; do [[ -e "${path}" ]] && printf '%s\0' "${path}"; done) |
        (cd "${ROOT}" && tar --null -T - -cf -) |
        tar -xf - -C "${COPY}"
    # The checkout's .git (where .build is ignored) would hide the copy from ansible-test's file listing: the copy
    # gets its own repository, so ansible-test lists exactly the copied files, and never its own tests/output.
    if [[ ! -d "${COPY}/.git" ]]; then
        git -C "${COPY}" init --quiet
    fi
    printf '/tests/output/\n' > "${COPY}/.git/info/exclude"
}

copy_dependencies() {
    # amazon.aws from the toolchain under test when it has its own (the oldest leg's floor), else from the .venv.
    local amazon_aws python="${BIN}/python"
    "${python}" -c 'import ansible_collections.amazon.aws' 2>/dev/null || python="${ROOT}/.venv/bin/python"
    amazon_aws="$("${python}" -c 'import ansible_collections.amazon.aws as m; print(list(m.__path__)[0])')"
    if [[ ! -f "${SANITY_ROOT}/amazon/aws/MANIFEST.json" ]] ||
        ! cmp -s "${amazon_aws}/MANIFEST.json" "${SANITY_ROOT}/amazon/aws/MANIFEST.json"; then
        rm -rf "${SANITY_ROOT}/amazon/aws"
        mkdir -p "${SANITY_ROOT}/amazon"
        cp -a "${amazon_aws}" "${SANITY_ROOT}/amazon/aws"
    fi
}

prepare_home() {
    local shared="${ROOT}/.build/sanity"
    export HOME="${shared}/home${CORE:+-${CORE}}"
    local cache="${HOME}/.ansible/test/cache"
    mkdir -p "${cache}" "${shared}/pip-wheels" "${HOME}/.config/pip"
    # ansible-test runs pip with none of our environment but HOME, so pip's settings go into HOME's pip.conf: the
    # user's own (index URLs, certificates) and a download cache shared by every core's HOME (pip's cache is safe to
    # use from several processes). pip still byte-compiles what it installs: without that, a test's own Python
    # compiles its tools at import and prints their SyntaxWarnings (docutils 0.18's, in the changelog test), and
    # ansible-test fails a test that writes to stderr.
    local pip_conf="${HOME}/.config/pip/pip.conf"
    "${ROOT}/.venv/bin/python" - "${PIP_CONFIG_FILE:-${XDG_CONFIG_HOME:-${REAL_HOME}/.config}/pip/pip.conf}" \
        "${pip_conf}.new" "${shared}/pip-cache" <<'EOF'
import configparser
import os
import sys

user_conf, sanity_conf, cache_dir = sys.argv[1:]
config = configparser.RawConfigParser()
config.read(user_conf)
if not config.has_section("global"):
    config.add_section("global")
config.set("global", "cache-dir", cache_dir)
with open(os.open(sanity_conf, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as out:
    config.write(out)  # private: the user's index URLs may hold credentials
EOF
    # Venvs built under other pip settings are built again (ansible-test keys them by their requirements only).
    if ! cmp -s "${pip_conf}.new" "${pip_conf}"; then
        rm -rf "${HOME}/.ansible/test/venv"
    fi
    mv "${pip_conf}.new" "${pip_conf}"
    local pip_version
    pip_version="$("${BIN}/python" -c 'from ansible_test._internal.python_requirements import get_venv_packages
from ansible_test._internal.host_configs import NativePythonConfig
print(get_venv_packages(NativePythonConfig(version="'"${PYTHON_VERSION}"'", path=""))["pip"])')"
    cp "${ROOT}/tools/sanity/get_pip.py" "${cache}/get_pip_${pip_version//./_}.py"
    # tools/sanity/get_pip.py unpacks pip into each venv from one wheel, fetched once for every core.
    ln -sfn "${shared}/pip-wheels" "${cache}/pip-wheels"
}

tests=()
if [[ -n "${CORE}" ]]; then
    core_venv
    # An older core runs the tests whose verdict depends on the core itself: compiling and importing our plugins
    # with its module_utils, its argument-spec and documentation schemas, its runtime metadata schema and its
    # ignore-file rules. The code-smell checks and style linters give the same answer on every core: they run
    # once, with the newest, to keep the test command within its time budget.
    for test in action-plugin-docs ansible-doc compile ignores import runtime-metadata validate-modules; do
        tests+=(--test "${test}")
    done
fi
REAL_HOME="${HOME}"
PYTHON_VERSION="${SANITY_PYTHON:-$("${BIN}/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')}"
copy_collection
copy_dependencies
prepare_home

cd "${COPY}"
start=${SECONDS}
status=0
PATH="${BIN}:${ROOT}/.venv/bin:${PATH}" "${BIN}/ansible-test" sanity --venv --python "${PYTHON_VERSION}" --color no "${tests[@]}" "$@" || status=$?
echo "sanity: ansible-test $("${BIN}/ansible-test" --version | awk '{print $NF}') finished in $((SECONDS - start)) s (exit ${status})"
exit "${status}"
