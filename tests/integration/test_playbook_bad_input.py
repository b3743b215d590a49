"""Bad playbook and role variables: bootstrap.yml says which variable is wrong and how, and writes nothing.

The role argument specs (roles/*/meta/argument_specs.yml) and the modules' own checks answer these; the account's
record in the JSON report carries the same message, so a pipeline sees it too.
"""

import json

from integration.ansible_runs import REPO, management_env, run_playbook, write_inventory


KNOWN_PASSWORD = "BadInput-Passw0rd!-never-shown-9e1"

# (variables, words the message must contain). All are caught before the first write in the account.
BAD_VARIABLES = [
    ({"proton_regions": {"us-east-1": True}}, ["proton_regions", "list"]),
    ({"proton_roles_permissions": "everything"}, ["proton_roles_permissions", "console"]),
    ({"proton_roles_codebuild_role": "maybe"}, ["proton_roles_codebuild_role", "bool"]),
    ({"iam_admin_update_password": "sometimes"}, ["iam_admin_update_password", "on_create"]),
    ({"iam_admin_user_name": "bad name!"}, ["user_name"]),
    ({"iam_admin_user_name": "Ädministrator"}, ["user_name", "ASCII"]),
    ({"iam_admin_group_path": "/équipe/"}, ["group_path", "ASCII"]),
    ({"iam_admin_tags": {"aws:owner": "platform"}}, ["tags", "'aws:owner'", "reserved"]),
    ({"iam_admin_tags": {f"key{index}": "v" for index in range(51)}}, ["tags", "at most 50"]),
    ({"iam_admin_tags": ["team=platform"]}, ["iam_admin_tags", "dict"]),
    ({"iam_admin_password": "short"}, ["password", "policy"]),
    ({"account_bootstrap_state": "gone"}, ["account_bootstrap_state", "present"]),
    ({"account_bootstrap_role_duration_seconds": "an hour"}, ["account_bootstrap_role_duration_seconds", "int"]),
]


def run_bootstrap(local_aws, accounts, tmp_path, host_vars):
    """bootstrap.yml over ``accounts``, each with its own variables (``host_vars``: account id -> variables), the
    known password as a group variable below them (as a user's group_vars would give it)."""
    # Both halves on, so that the Proton variables are checked too (the Proton half is opt-in).
    inventory = write_inventory(tmp_path / "accounts.yml", accounts, host_vars=host_vars, group_vars={
        "iam_admin_password": KNOWN_PASSWORD, "account_bootstrap_proton_roles": True})
    return run_playbook(REPO / "playbooks" / "bootstrap.yml", management_env(local_aws, tmp_path),
                        callback="ansible.builtin.default", inventory=inventory, cwd=tmp_path)


def error_message(tmp_path, account):
    """The account's error as the report records it (a failed account always has one)."""
    records = {record["account_id"]: record
               for record in json.loads((tmp_path / "protonkit-bootstrap-report.json").read_text())["accounts"]}
    assert records[account.account_id]["status"] == "failed", records[account.account_id]
    return records[account.account_id]["error"]["message"]


def test_bad_variables_are_named_with_their_fix_and_nothing_is_written(local_aws, aws_account_factory, tmp_path):
    # One account per bad variable, all in one run: each account's error is its own.
    accounts = aws_account_factory(len(BAD_VARIABLES))
    host_vars = {account.account_id: variables for account, (variables, _words) in zip(accounts, BAD_VARIABLES)}
    writes_before = [len(account.write_calls()) for account in accounts]

    run = run_bootstrap(local_aws, accounts, tmp_path, host_vars)

    assert run.rc != 0, run.output[-2000:]
    assert "Traceback" not in run.output
    assert KNOWN_PASSWORD not in run.output
    for account, before, (variables, words) in zip(accounts, writes_before, BAD_VARIABLES):
        assert variables.get("iam_admin_password", KNOWN_PASSWORD) not in run.output
        assert account.write_calls()[before:] == [], (variables, run.output[-3000:])
        message = error_message(tmp_path, account)
        for word in words:
            assert word in message, (variables, message)


def test_bad_proton_value_found_by_the_module_leaves_the_proton_half_unwritten(local_aws, aws_account, tmp_path):
    # Only the module knows what an IAM path may look like: the IAM half (valid on its own) has run by then, the
    # Proton half writes nothing, and a rerun with the fix completes the account.
    run = run_bootstrap(local_aws, [aws_account], tmp_path, {aws_account.account_id: {
        "proton_roles_role_path": "service-role"}})

    assert run.rc != 0
    assert "role_path: role path must begin and end with /" in error_message(tmp_path, aws_account)
    proton_half = [call["action"] for call in aws_account.write_calls()
                   if call["service"] == "proton" or "Role" in call["action"]]
    assert proton_half == []
    assert run_bootstrap(local_aws, [aws_account], tmp_path, {}).rc == 0
