"""protonkit.accounts.check_role_variables: the host's variables checked against the specs of the roles named,
together; every problem named; the password never shown; and the specs never carried back in the result (with
ansible.builtin.validate_argument_spec they were the task's arguments, returned in every host's task fields)."""

import json

from integration.ansible_runs import run_module_tasks

SECRET = "CheckVars-Passw0rd!-never-shown-41"
BAD = {"iam_admin_update_password": "sometimes", "proton_roles_permissions": "everything",
       "iam_admin_password": SECRET}


def test_each_bad_variable_is_named_for_the_roles_checked_only(tmp_path):
    run = run_module_tasks(tmp_path, "check_role_variables", [
        {"roles": ["iam_admin"]},
        {"roles": ["account_bootstrap", "iam_admin", "proton_roles"]},
        {"roles": ["proton_roles"], "entry_point": "teardown"},
        {"roles": ["somebody_elses"]},
        {"roles": []},
    ], {}, extra_args=["-e", json.dumps(BAD)], verbosity=3)
    assert SECRET not in run.output
    iam_only, together, no_entry_point, unknown_role, no_role = run.tasks
    assert iam_only["failed"] and iam_only["argument_errors"] == [
        "value of iam_admin_update_password must be one of: on_create, always, got: sometimes"]
    assert together["failed"] and len(together["argument_errors"]) == 2, together
    assert "proton_roles_permissions" in together["msg"] and "iam_admin_update_password" in together["msg"]
    assert no_entry_point["failed"] and "entry_point" in no_entry_point["msg"], no_entry_point
    assert "no entry point 'teardown'" in no_entry_point["msg"]
    assert unknown_role["failed"] and "roles" in unknown_role["msg"], unknown_role
    assert "somebody_elses" in unknown_role["msg"]
    assert no_role["failed"] and no_role["msg"].startswith("roles: name at least one role"), no_role
    for result in run.tasks:
        # The specs (their descriptions) never come back.
        assert "argument_spec_data" not in result and "description" not in json.dumps(result), result


def test_good_variables_pass_in_check_mode_without_a_change(tmp_path):
    good = dict(BAD, iam_admin_update_password="always", proton_roles_permissions="console")
    run = run_module_tasks(tmp_path, "check_role_variables",
                           [{"roles": ["account_bootstrap", "iam_admin", "proton_roles"]}], {},
                           extra_args=["-e", json.dumps(good)], check=True)
    assert run.rc == 0, run.output[-2000:]
    assert run.result["changed"] is False and "failed" not in run.result, run.result
    assert "are valid" in run.result["msg"]
