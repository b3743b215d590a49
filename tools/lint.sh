#!/usr/bin/env bash
# ansible-lint with the production profile (.ansible-lint) on the collection's roles and playbooks, offline.
# Passes when there is nothing to lint yet; lints roles/* and playbooks/* as soon as they appear.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${ROOT}/.venv/bin"
cd "${ROOT}"

# protonkit.accounts from the link tree, amazon.aws from the venv's site-packages.
export ANSIBLE_COLLECTIONS_PATH="${ANSIBLE_COLLECTIONS_PATH:-${ROOT}/.build/collections}"
export PATH="${BIN}:${PATH}"

targets=()
shopt -s nullglob
# The benchmark's amazon.aws playbook is held to the same standard: it stands for what a skilled user writes.
for path in roles/*/ playbooks/*.yml playbooks/*.yaml benchmarks/amazon_aws/*.yml; do
    targets+=("${path%/}")
done
shopt -u nullglob

if [[ ${#targets[@]} -eq 0 ]]; then
    echo "lint: no roles or playbooks yet, nothing to lint"
    exit 0
fi

start=${SECONDS}
status=0
"${BIN}/ansible-lint" --offline --profile production --nocolor "${targets[@]}" || status=$?
echo "lint: ansible-lint finished in $((SECONDS - start)) s (exit ${status})"
exit "${status}"
