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
# Older ansible-core releases we support (meta/runtime.yml requires_ansible) are checked too: SANITY_CORE=2.17
# runs the ansible-test of the release pinned in requirements/sanity-cores.txt, from its own venv under
# .build/sanity/core-2.17 (built once), on its own copy of the collection, without the style linters.
#
# Usage: [SANITY_CORE=2.17] tools/sanity.sh [extra ansible-test sanity arguments, e.g. --test pylint plugins/...]
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${ROOT}/.venv/bin"
PYTHON_VERSION="${SANITY_PYTHON:-3.11}"
SANITY_ROOT="${ROOT}/.build/sanity/ansible_collections"
CORE="${SANITY_CORE:-}"
if [[ -n "${CORE}" ]]; then
    SANITY_ROOT="${ROOT}/.build/sanity/core-${CORE}/ansible_collections"
fi
COPY="${SANITY_ROOT}/protonkit/accounts"

core_venv() {
    # The venv of an older ansible-core, rebuilt only when its pin changes.
    local pin venv
    pin="$(grep -E "^ansible-core==${CORE//./\\.}\\." "${ROOT}/requirements/sanity-cores.txt" || true)"
    if [[ -z "${pin}" ]]; then
        echo "SANITY_CORE=${CORE}: no ansible-core ${CORE}.x pinned in requirements/sanity-cores.txt" >&2
        exit 2
    fi
    venv="${ROOT}/.build/sanity/core-${CORE}/venv"
    if [[ "$(cat "${venv}/.pin" 2>/dev/null)" != "${pin}" ]]; then
        rm -rf "${venv}"
        "${BIN}/python" -m venv "${venv}"
        "${venv}/bin/python" -m pip install --quiet --disable-pip-version-check "${pin}"
        echo "${pin}" > "${venv}/.pin"
    fi
    BIN="${venv}/bin"
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
    local amazon_aws
    amazon_aws="$("${ROOT}/.venv/bin/python" -c 'import ansible_collections.amazon.aws as m; print(list(m.__path__)[0])')"
    if [[ ! -f "${SANITY_ROOT}/amazon/aws/MANIFEST.json" ]] ||
        ! cmp -s "${amazon_aws}/MANIFEST.json" "${SANITY_ROOT}/amazon/aws/MANIFEST.json"; then
        rm -rf "${SANITY_ROOT}/amazon/aws"
        mkdir -p "${SANITY_ROOT}/amazon"
        cp -a "${amazon_aws}" "${SANITY_ROOT}/amazon/aws"
    fi
}

prepare_home() {
    local user_pip_conf="${XDG_CONFIG_HOME:-${HOME}/.config}/pip/pip.conf"
    # Keep the user's pip configuration (index URLs, certificates) although HOME changes.
    if [[ -z "${PIP_CONFIG_FILE:-}" && -f "${user_pip_conf}" ]]; then
        export PIP_CONFIG_FILE="${user_pip_conf}"
    fi
    export HOME="${ROOT}/.build/sanity/home"
    local cache="${HOME}/.ansible/test/cache"
    mkdir -p "${cache}"
    local pip_version
    pip_version="$("${BIN}/python" -c 'from ansible_test._internal.python_requirements import get_venv_packages
from ansible_test._internal.host_configs import NativePythonConfig
print(get_venv_packages(NativePythonConfig(version="'"${PYTHON_VERSION}"'", path=""))["pip"])')"
    cp "${ROOT}/tools/sanity/get_pip.py" "${cache}/get_pip_${pip_version//./_}.py"
}

skip=()
if [[ -n "${CORE}" ]]; then
    core_venv
    # An older core checks what depends on the core itself (module imports, argument specs and documentation,
    # runtime metadata); the style linters, each in a virtualenv of its own that takes a minute to build, run
    # once, with the newest core, to keep the test command within its time budget.
    skip=(--skip-test pylint --skip-test pep8 --skip-test yamllint --skip-test changelog)
fi
copy_collection
copy_dependencies
prepare_home

cd "${COPY}"
start=${SECONDS}
status=0
PATH="${BIN}:${ROOT}/.venv/bin:${PATH}" "${BIN}/ansible-test" sanity --venv --python "${PYTHON_VERSION}" --color no "${skip[@]}" "$@" || status=$?
echo "sanity: ansible-test $("${BIN}/ansible-test" --version | awk '{print $NF}') finished in $((SECONDS - start)) s (exit ${status})"
exit "${status}"
