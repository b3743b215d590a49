#!/usr/bin/env bash
# Build (once, and again only when its pins change) a toolchain venv other than .venv, and print its bin folder.
#
#   tools/toolchain.sh oldest      # the oldest leg: Python 3.11, requirements/oldest.txt, amazon.aws at our floor
#   tools/toolchain.sh core 2.18   # ansible-core 2.18.x as pinned in requirements/sanity-cores.txt, .venv's Python
#
# Venvs live under .build/toolchains/<name>; all output but the bin folder goes to stderr.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
REQ="${ROOT}/requirements"
PIP_FLAGS=(--quiet --disable-pip-version-check --no-compile)

# pip_install VENV ARGS...: with the .venv's uv when there is one (seconds, where pip takes most of a minute), else,
# or when uv can't (it reads no pip.conf), with the venv's pip.
pip_install() {
    local venv="$1"
    shift
    if [[ -x "${ROOT}/.venv/bin/uv" ]] && "${ROOT}/.venv/bin/uv" pip install --quiet --python "${venv}/bin/python" "$@"; then
        return 0
    fi
    "${venv}/bin/python" -m pip install "${PIP_FLAGS[@]}" "$@"
}

case "${1:-}" in
    oldest)
        name=oldest
        python="$("${ROOT}/tools/find_python.sh" 3.11)"
        pin="$(cat "${REQ}/oldest.txt" "${REQ}/oldest-collections.txt")"
        install() {
            pip_install "$1" -r "${REQ}/oldest.txt"
            # ansible 12.0.0 asks for ansible-core 2.19: only its bundled collections are wanted here.
            pip_install "$1" --no-deps -r "${REQ}/oldest-collections.txt"
        }
        ;;
    core)
        core="${2:?usage: toolchain.sh core 2.18}"
        name="core-${core}"
        python="${ROOT}/.venv/bin/python"
        pin="$(grep -E "^ansible-core==${core//./\\.}\\." "${REQ}/sanity-cores.txt" || true)"
        if [[ -z "${pin}" ]]; then
            echo "toolchain.sh: no ansible-core ${core}.x pinned in requirements/sanity-cores.txt" >&2
            exit 2
        fi
        install() { pip_install "$1" "${pin}"; }
        ;;
    *)
        echo "usage: toolchain.sh oldest | core 2.x" >&2
        exit 2
        ;;
esac

venv="${ROOT}/.build/toolchains/${name}"
if [[ "$(cat "${venv}/.pin" 2>/dev/null)" != "${pin}" ]]; then
    start=${SECONDS}
    rm -rf "${venv}"
    "${python}" -m venv "${venv}"
    install "${venv}" >&2
    printf '%s' "${pin}" > "${venv}/.pin"
    echo "toolchain ${name}: built in $((SECONDS - start)) s ($("${venv}/bin/ansible" --version | sed -n 1p))" >&2
fi
echo "${venv}/bin"
