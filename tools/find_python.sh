#!/usr/bin/env bash
# Print the path of a CPython interpreter of a given minor release (or newer, with "+"), or explain what to install.
#
#   tools/find_python.sh 3.12+   # the venv of `make setup`: Python 3.12 or newer
#   tools/find_python.sh 3.11    # the oldest leg (ansible-core 2.17): exactly Python 3.11
#
# Looked for, in this order: $PYTHON when set (and then nothing else); pythonX.Y on PATH that really runs; the
# interpreters under pyenv's versions folder (on a fresh machine of ours the pyenv shims are not active, so
# `python3.12` on PATH fails unless PYENV_VERSION is set); then plain python3 (Debian's own, which may be older).
set -euo pipefail

wanted="${1:?usage: find_python.sh 3.12+ | 3.11}"
minimum="${wanted%+}"
if [[ "${wanted}" == *+ ]]; then
    minors=("${minimum}" 3.13 3.14)
else
    minors=("${minimum}")
fi

# True when $1 runs, has a working venv module, and is of the wanted release (or newer, for "3.12+"); sets
# $found to the interpreter itself (not a pyenv shim in front of it).
suitable() {
    local version
    read -r version found < <("$1" -c 'import sys, venv; print("%d.%d" % sys.version_info[:2], sys.executable)' \
        2>/dev/null) || return 1
    if [[ "${wanted}" == *+ ]]; then
        [[ "$(printf '%s\n%s\n' "${minimum}" "${version}" | sort -V | head -n 1)" == "${minimum}" ]]
    else
        [[ "${version}" == "${minimum}" ]]
    fi
}

if [[ -n "${PYTHON:-}" ]]; then
    if suitable "${PYTHON}"; then
        echo "${found}"
        exit 0
    fi
    echo "PYTHON=${PYTHON} is not a working Python ${wanted} (with the venv module)." >&2
    exit 1
fi

pyenv_root="${PYENV_ROOT:-${HOME}/.pyenv}"
candidates=()
for minor in "${minors[@]}"; do
    candidates+=("python${minor}")
done
for minor in "${minors[@]}"; do
    # Newest patch release first.
    while IFS= read -r dir; do
        candidates+=("${dir}/bin/python${minor}")
    done < <(compgen -G "${pyenv_root}/versions/${minor}.*" | sort -rV)
done
candidates+=(python3 /usr/bin/python3)

for candidate in "${candidates[@]}"; do
    if command -v "${candidate}" >/dev/null 2>&1 && suitable "${candidate}"; then
        echo "${found}"
        exit 0
    fi
done

cat >&2 <<EOF
No Python ${wanted} found (looked on PATH, under ${pyenv_root}/versions and at python3).
Install one (pyenv install , or your distribution's python with its venv module), or point at it:
  make setup PYTHON=/path/to/python${minimum}
EOF
exit 1
