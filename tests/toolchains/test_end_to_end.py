"""The whole user path on the oldest end of the support matrix, through real ``ansible-inventory`` / ``ansible-playbook``.

``oldest``: ansible-core 2.17 on Python 3.11 with amazon.aws and boto3/botocore at our declared floors
(``tools/toolchain.sh oldest``, see conftest.py), where old-core behaviour regressions show: an organization
inventory, bootstrap in check mode (no write), bootstrap with one account denied (marked failed, alone), bootstrap
again, a rerun with zero writes, and a teardown that leaves nothing of ours; no deprecation warning may name this
collection.

The newest toolchain (the .venv) runs the same path in tests/integration (test_inventory_organization.py and
test_playbooks.py), where every playbook run fails on any deprecation warning (integration/ansible_runs.py).
"""

import json
import os
import subprocess
from pathlib import Path

import boto3
import pytest

from localaws.client import LocalAWSClient
from localaws.accounts import enter_account
from localaws.sample_org import MANAGEMENT_CREDENTIALS, REGION, create_sample_organization

REPO = Path(__file__).resolve().parents[2]
COLLECTIONS = REPO / ".build" / "collections"


@pytest.fixture
def organization(tmp_path):
    """A local AWS of its own (one organization per local AWS), the sample organization and its inventory file."""
    local_aws = LocalAWSClient.start(log_path=tmp_path / "localaws.log")
    try:
        accounts = create_sample_organization(local_aws.url)
        (tmp_path / "accounts.aws_org.yml").write_text("plugin: protonkit.accounts.organization\n")
        yield local_aws, accounts
    finally:
        local_aws.stop()


class Toolchain:
    def __init__(self, bin_dir, local_aws, work):
        self.bin_dir = bin_dir
        self.work = work
        self.env = dict(os.environ, AWS_ENDPOINT_URL=local_aws.url, AWS_REGION=REGION, AWS_DEFAULT_REGION=REGION,
                        AWS_ACCESS_KEY_ID=MANAGEMENT_CREDENTIALS["aws_access_key_id"],
                        AWS_SECRET_ACCESS_KEY=MANAGEMENT_CREDENTIALS["aws_secret_access_key"],
                        ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS), ANSIBLE_NOCOLOR="1", PWD=str(work))
        self.env.pop("ANSIBLE_DEPRECATION_WARNINGS", None)

    def version(self):
        return self.run("ansible", "--version").stdout.splitlines()[0]

    def run(self, program, *args):
        return subprocess.run([str(self.bin_dir / program), *args], capture_output=True, text=True, env=self.env,
                              cwd=self.work, check=False)

    def playbook(self, name, *args):
        result = self.run("ansible-playbook", f"protonkit.accounts.{name}", "-i", "accounts.aws_org.yml",
                          "-e", json.dumps({"proton_regions": [REGION], "account_bootstrap_proton_roles": True}), *args)
        return result, result.stdout + result.stderr

    def report(self, operation):
        return json.loads((self.work / f"protonkit-{operation}-report.json").read_text())


def what_is_left(local_aws, account_id):
    """The account's users, groups and roles other than the one the organization made for us to enter with."""
    iam = boto3.client("iam", region_name=REGION, endpoint_url=local_aws.url, **enter_account(
        local_aws.url, account_id, region=REGION, session_name="protonkit-tests", caller=MANAGEMENT_CREDENTIALS))
    return ([user["UserName"] for user in iam.list_users()["Users"]],
            [group["GroupName"] for group in iam.list_groups()["Groups"]],
            [role["RoleName"] for role in iam.list_roles()["Roles"]
             if role["RoleName"] != "OrganizationAccountAccessRole"])


def deprecation_warnings(output):
    return [line for line in output.splitlines() if "DEPRECATION WARNING" in line]


def test_inventory_bootstrap_rerun_and_teardown_on_the_oldest(oldest_toolchain_bin, organization, tmp_path):
    local_aws, accounts = organization
    ansible = Toolchain(oldest_toolchain_bin, local_aws, tmp_path)
    assert "2.17." in ansible.version()
    names = sorted(account["name"] for account in accounts)

    listed = ansible.run("ansible-inventory", "-i", "accounts.aws_org.yml", "--list")
    assert listed.returncode == 0, listed.stderr
    assert sorted(json.loads(listed.stdout)["_meta"]["hostvars"]) == names

    local_aws.clear_calls()
    check, output = ansible.playbook("bootstrap", "--check", "--diff")
    assert check.returncode == 0, output[-3000:]
    assert local_aws.write_calls() == []
    outputs = [output]

    # One account's Proton half is denied: that account alone is marked failed, in the recap and the exit status.
    denied = accounts[0]
    local_aws.add_error_rule(code="AccessDenied", status=403, account=denied["id"], service="iam",
                             action="PutRolePolicy", message="not allowed to put role policies")
    partial, output = ansible.playbook("bootstrap")
    assert partial.returncode == 2, output[-3000:]
    assert ansible.report("bootstrap")["counts"]["failed"] == 1
    recap = output.split("PLAY RECAP", 1)[1]
    assert {line.split()[0]: "failed=1" in line for line in recap.splitlines() if " : ok=" in line} == {
        account["name"]: account is denied for account in accounts}
    outputs.append(output)
    local_aws.clear_error_rules()

    first, output = ansible.playbook("bootstrap")
    assert first.returncode == 0, output[-3000:]
    assert ansible.report("bootstrap")["counts"]["failed"] == 0
    outputs.append(output)

    local_aws.clear_calls()
    rerun, output = ansible.playbook("bootstrap")
    assert rerun.returncode == 0, output[-3000:]
    assert local_aws.write_calls() == []
    assert ansible.report("bootstrap")["counts"]["unchanged"] == len(accounts)
    outputs.append(output)

    teardown, output = ansible.playbook("teardown", "-e", "protonkit_remove_admin=true")
    assert teardown.returncode == 0, output[-3000:]
    assert {record["status"] for record in ansible.report("teardown")["accounts"]} == {"removed"}
    outputs.append(output)
    for account in accounts:
        assert what_is_left(local_aws, account["id"]) == ([], [], [])

    # amazon.aws 10 and core 2.17 may warn about themselves; nothing may name this collection.
    warnings = [line for output in outputs for line in deprecation_warnings(output)]
    assert [line for line in warnings if "protonkit" in line] == []
