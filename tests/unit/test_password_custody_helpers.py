"""Where the break-glass password may go, without AWS: the secret's ARN and readers, the readers' policy, and the
password file (plugins/module_utils/password_secret.py, the file helpers of iam_admin_bootstrap). What they do against
Secrets Manager is covered through the module in tests/integration/test_password_custody.py."""

import json
import os

import pytest

from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
from ansible_collections.protonkit.accounts.plugins.module_utils.password_secret import reader_policy
from ansible_collections.protonkit.accounts.plugins.module_utils.password_secret import readers_problem
from ansible_collections.protonkit.accounts.plugins.module_utils.password_secret import secret_arn_problem
from ansible_collections.protonkit.accounts.plugins.module_utils.iam_admin import password_file_owner_problem
from ansible_collections.protonkit.accounts.plugins.module_utils.iam_admin import write_private_file

ACCOUNT = "123456789012"
OTHER = "210987654321"
IDENTITY = {"account_id": ACCOUNT, "partition": "aws"}
READER = f"arn:aws:iam::{ACCOUNT}:role/BreakGlassReader"


class Failed(Exception):
    pass


class FileModule:
    check_mode = False
    params = {"user_name": "Administrator"}

    def fail_json(self, msg, **_kwargs):
        raise Failed(msg)


def document(account_id=ACCOUNT, user_name="Administrator"):
    return json.dumps({"account_id": account_id, "user_name": user_name, "password": "not-a-real-one",
                       "signin_url": f"https://{account_id}.signin.aws.amazon.com/console"})


@pytest.mark.parametrize("name, fragment", [
    ("protonkit/Administrator/console-password", None),
    (f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:protonkit/x-AbCdEf", None),
    (f"arn:aws:secretsmanager:us-east-1:{OTHER}:secret:protonkit/x-AbCdEf", f"belongs to account {OTHER}"),
    (f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/x", "not a Secrets Manager secret ARN"),
])
def test_a_secret_of_another_account_is_refused(name, fragment):
    problem = secret_arn_problem(name, ACCOUNT)
    assert problem is None if fragment is None else (problem.startswith("password_secret:") and fragment in problem)


def test_readers_are_role_or_user_arns():
    assert readers_problem([READER, f"arn:aws:iam::{ACCOUNT}:user/people/alice"]) is None
    assert readers_problem(None) is None
    for wrong in (f"arn:aws:iam::{ACCOUNT}:root", ACCOUNT, "*", f"arn:aws:sts::{ACCOUNT}:assumed-role/R/s",
                  f"{READER}\n", f"arn:aws:iam::{ACCOUNT}:role/\u00c4dmin"):
        assert wrong in readers_problem([wrong])


def test_reader_policy_denies_every_other_reader_and_is_stable():
    policy = reader_policy([READER, READER])
    allow, deny = policy["Statement"]
    assert allow["Principal"] == {"AWS": [READER]} and allow["Effect"] == "Allow"
    assert deny["Effect"] == "Deny" and deny["Principal"] == "*"
    assert deny["Condition"] == {"StringNotEquals": {"aws:PrincipalArn": [READER]}}
    # AWS hands a one-element list back as a string: still the same policy, so a rerun writes nothing.
    normalised = json.loads(json.dumps(policy).replace(f'["{READER}"]', f'"{READER}"'))
    assert not compare_policies(normalised, reader_policy([READER]))
    assert compare_policies(policy, reader_policy([READER, f"arn:aws:iam::{ACCOUNT}:role/Other"]))


def test_password_file_of_another_account_or_user_is_refused(tmp_path):
    path = tmp_path / "admin.json"
    assert password_file_owner_problem(str(path), ACCOUNT, "Administrator") is None  # no file yet
    path.write_text(document())
    assert password_file_owner_problem(str(path), ACCOUNT, "Administrator") is None  # ours: replaced
    problem = password_file_owner_problem(str(path), OTHER, "Administrator")
    assert f"account {ACCOUNT}" in problem and "its own file" in problem
    assert "user Administrator" in password_file_owner_problem(str(path), ACCOUNT, "BreakGlass")
    assert "not-a-real-one" not in problem


@pytest.mark.parametrize("content", ["just some notes", '{"password": "x"}', "[1, 2]"])
def test_password_file_that_is_not_our_document_is_refused(tmp_path, content):
    path = tmp_path / "notes.txt"
    path.write_text(content)
    problem = password_file_owner_problem(str(path), ACCOUNT, "Administrator")
    assert "is not a password document of this module" in problem
    assert content not in problem


def test_temporary_file_is_removed_when_the_final_rename_fails(tmp_path):
    # The destination became a directory after the up-front check: the rename fails, and the temporary copy of
    # the password must not stay behind.
    destination = tmp_path / "admin.json"
    destination.mkdir()
    with pytest.raises(Failed, match="password_file"):
        write_private_file(FileModule(), IDENTITY, str(destination), document())
    assert sorted(os.listdir(tmp_path)) == ["admin.json"] and os.listdir(destination) == []


def test_file_of_another_account_written_meanwhile_is_not_replaced(tmp_path):
    # Another fork wrote its account's password to the shared path after this run's check.
    destination = tmp_path / "admin.json"
    destination.write_text(document(OTHER))
    with pytest.raises(Failed, match=f"account {OTHER}"):
        write_private_file(FileModule(), IDENTITY, str(destination), document())
    assert json.loads(destination.read_text())["account_id"] == OTHER
    assert sorted(os.listdir(tmp_path)) == ["admin.json"]


def test_new_and_own_files_are_written_private(tmp_path):
    destination = tmp_path / "admin.json"
    write_private_file(FileModule(), IDENTITY, str(destination), document())
    write_private_file(FileModule(), IDENTITY, str(destination), document())  # our own: replaced
    assert os.stat(destination).st_mode & 0o777 == 0o600
    assert sorted(os.listdir(tmp_path)) == ["admin.json"]
