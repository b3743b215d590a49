"""The roles' argument specs (roles/*/meta/argument_specs.yml) mark every secret no_log, and decide it for every
option whose name Ansible's own heuristic takes for a password (as the modules' argument specs do)."""

from pathlib import Path

import pytest
import yaml
from ansible.module_utils.basic import PASSWORD_MATCH

REPO = Path(__file__).resolve().parents[2]
SPECS = sorted(REPO.glob("roles/*/meta/argument_specs.yml"))
# The role options whose values are secrets. A new one goes here, with no_log: true in its spec.
SECRET_OPTIONS = {"iam_admin_password"}


def options():
    for path in SPECS:
        for entry_point in yaml.safe_load(path.read_text())["argument_specs"].values():
            for name, spec in (entry_point.get("options") or {}).items():
                yield path.parent.parent.name, name, spec


OPTIONS = list(options())


def test_every_role_is_read():
    assert {role for role, _name, _spec in OPTIONS} >= {"account_bootstrap", "account_report", "iam_admin",
                                                        "proton_roles"}
    assert SECRET_OPTIONS <= {name for _role, name, _spec in OPTIONS}


@pytest.mark.parametrize("role, name, spec", OPTIONS, ids=[f"{role}.{name}" for role, name, _spec in OPTIONS])
def test_secrets_are_no_log_and_password_like_names_say_so(role, name, spec):
    if name in SECRET_OPTIONS:
        assert spec.get("no_log") is True, f"{role}: {name} is a secret: add no_log: true"
    elif PASSWORD_MATCH.search(name) or "secret" in name:
        assert spec.get("no_log") is False, f"{role}: {name} looks like a secret: say no_log: true or false"
    else:
        assert not spec.get("no_log"), f"{role}: {name} is no_log but not in SECRET_OPTIONS"
