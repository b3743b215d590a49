#!/usr/bin/env bash
# Every Molecule scenario (extensions/molecule/*), each with its own local AWS on its own loopback port, two at a time
# (each is single-threaded); a scenario's output is printed whole when it ends, and kept in .build/molecule/<name>.log.
# Then the secret-hygiene check: the console passwords the scenarios generated (verify_account.py records their
# digests, never the passwords) appear nowhere in Molecule's output.
#
# Usage: tools/molecule.sh [scenario ...]   (default: every scenario)
set -euo pipefail
cd "$(dirname "$0")/.."
export ANSIBLE_NOCOLOR=1 PY_COLORS=0 NO_COLOR=1
mkdir -p .build/molecule
export PROTONKIT_PASSWORD_DIGESTS="${PWD}/.build/molecule/password-digests"
: > "${PROTONKIT_PASSWORD_DIGESTS}"

scenarios=("$@")
if [[ ${#scenarios[@]} -eq 0 ]]; then
    for config in extensions/molecule/*/molecule.yml; do
        scenarios+=("$(basename "$(dirname "${config}")")")
    done
fi

# Called through xargs (bash -c), which shellcheck cannot follow.
# shellcheck disable=SC2329
run_scenario() {
    local scenario="$1" start=${SECONDS} status=0
    molecule test --scenario-name "${scenario}" > ".build/molecule/${scenario}.log" 2>&1 || status=$?
    # One block per scenario, printed under a lock, so that two lanes never interleave.
    {
        flock 9
        cat ".build/molecule/${scenario}.log"
        echo "molecule: scenario ${scenario} finished in $((SECONDS - start)) s (exit ${status})"
    } 9> .build/molecule/print.lock
    return "${status}"
}
export -f run_scenario

status=0
# $1 is the inner bash's argument, expanded there.
# shellcheck disable=SC2016
printf '%s\0' "${scenarios[@]}" | xargs -0 -P 2 -I '{}' bash -c 'run_scenario "$1"' _ '{}' || status=$?
logs=()
for scenario in "${scenarios[@]}"; do
    logs+=(".build/molecule/${scenario}.log")
done
python tools/find_secrets.py "${PROTONKIT_PASSWORD_DIGESTS}" "${logs[@]}"
exit "${status}"
