#!/usr/bin/env bash
# Every Molecule scenario (extensions/molecule/*), each with its own local AWS on its own loopback port.
# Then the secret-hygiene check: the console passwords the scenarios generated (verify_account.py records their
# digests, never the passwords) appear nowhere in Molecule's output, which is kept in .build/molecule/output.log.
set -euo pipefail
cd "$(dirname "$0")/.."
export ANSIBLE_NOCOLOR=1 PY_COLORS=0 NO_COLOR=1
mkdir -p .build/molecule
export PROTONKIT_PASSWORD_DIGESTS="${PWD}/.build/molecule/password-digests"
: > "${PROTONKIT_PASSWORD_DIGESTS}"
molecule test --all 2>&1 | tee .build/molecule/output.log
python tools/find_secrets.py "${PROTONKIT_PASSWORD_DIGESTS}" .build/molecule/output.log
