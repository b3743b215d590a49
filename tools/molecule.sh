#!/usr/bin/env bash
# Every Molecule scenario (extensions/molecule/*), each with its own local AWS on its own loopback port.
set -euo pipefail
cd "$(dirname "$0")/.."
export ANSIBLE_NOCOLOR=1 PY_COLORS=0 NO_COLOR=1
exec molecule test --all
