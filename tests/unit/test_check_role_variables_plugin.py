"""The check_role_variables action plugin's checks (plugins/action/check_role_variables.py): the roles' own specs,
read once, combined, and a value the spec marks no_log masked in every message, wherever it sits. Through
ansible-playbook: tests/integration/test_check_role_variables.py."""

from pathlib import Path

import pytest
from ansible.errors import AnsibleActionFail

from ansible_collections.protonkit.accounts.plugins.action.check_role_variables import ROLES
from ansible_collections.protonkit.accounts.plugins.action.check_role_variables import combined_options
from ansible_collections.protonkit.accounts.plugins.action.check_role_variables import variable_errors

REPO = Path(__file__).resolve().parents[2]
SECRET = "Unit-Passw0rd!-never-in-a-message-7"


def test_every_role_with_a_spec_can_be_checked():
    assert set(ROLES) == {path.parent.parent.name for path in REPO.glob("roles/*/meta/argument_specs.yml")}


def test_the_specs_combined_are_the_roles_own():
    spec = combined_options(["iam_admin", "proton_roles"], "main")
    assert spec["iam_admin_password"]["no_log"] is True and "proton_regions" in spec
    assert "account_bootstrap_state" not in spec
    assert "account_bootstrap_selection" in combined_options(["account_bootstrap"], "check_selection")


def test_an_unknown_entry_point_is_named_with_the_ones_there_are():
    with pytest.raises(AnsibleActionFail, match=r"^entry_point: .*iam_admin has no entry point 'teardown' \(it has main\)"):
        combined_options(["iam_admin"], "teardown")


def test_a_secret_is_masked_in_every_message_wherever_it_sits():
    spec = {"password": {"type": "str", "no_log": True, "choices": ["x"]},
            "nested": {"type": "dict", "options": {"token": {"type": "str", "no_log": True, "choices": ["y"]}}}}
    errors = variable_errors(spec, {"password": SECRET, "nested": {"token": SECRET + "-nested"}})
    assert len(errors) == 2, errors
    assert any("password" in error for error in errors) and any("token" in error for error in errors)
    assert not any(SECRET in error for error in errors), errors


def test_good_values_have_no_error():
    spec = combined_options(["iam_admin"], "main")
    assert variable_errors(spec, {"iam_admin_update_password": "always", "iam_admin_password": SECRET}) == []
