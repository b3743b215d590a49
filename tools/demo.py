"""The README's demo: bootstrap a small AWS Organization on the local AWS, twice.

1. start the local AWS (moto + the Proton backend) on 127.0.0.1;
2. create an organization: the management account, two OUs, three member accounts;
3. run ``playbooks/bootstrap.yml`` over the ``protonkit.accounts.organization`` inventory;
4. run it again: every account reports ``unchanged`` and the local AWS sees zero write calls;
5. read every account back and check it is bootstrapped as documented (localaws.bootstrapped);
6. show where each generated password was delivered (never the password), and stop the local AWS.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

import boto3

from localaws.accounts import enter_account
from localaws.bootstrapped import account_state, bootstrap_problems
from localaws.client import LocalAWSClient
from localaws.sample_org import MANAGEMENT_CREDENTIALS, REGION, create_sample_organization

WORK = REPO / ".build" / "demo"
INVENTORY = """\
# Every ACTIVE member account of the organization (the management account is left out), grouped by OU.
plugin: protonkit.accounts.organization
"""


def banner(text):
    print(f"\n=== {text} ===", flush=True)


def run_bootstrap(env, label):
    banner(label)
    command = ["ansible-playbook", "protonkit.accounts.bootstrap", "-i", "demo.aws_org.yml",
               "-e", json.dumps({"proton_regions": [REGION], "account_bootstrap_proton_roles": True})]
    print("$ " + " ".join(command), flush=True)
    command[0] = str(REPO / ".venv" / "bin" / "ansible-playbook")
    return subprocess.run(command, env=env, cwd=WORK, check=False).returncode


def problems_of(local_aws, account_id):
    """How the account differs from a bootstrapped one as documented ([] when it does not)."""
    keys = enter_account(local_aws.url, account_id, region=REGION, session_name="protonkit-demo",
                         caller=MANAGEMENT_CREDENTIALS)

    def client(service, region=None):
        return boto3.client(service, region_name=region or REGION, endpoint_url=local_aws.url, **keys)
    return bootstrap_problems(account_state(client, [REGION]), account_id)


def main():
    WORK.mkdir(parents=True, exist_ok=True)
    local_aws = LocalAWSClient.start(state_dir=WORK / "localaws")
    try:
        banner(f"Local AWS listening on {local_aws.url}")
        banner("Creating the organization: 2 OUs, 3 member accounts")
        accounts = create_sample_organization(local_aws.url)
        for account in accounts:
            print(f"  {account['ou']:<12} {account['name']:<10} {account['id']}")
        (WORK / "demo.aws_org.yml").write_text(INVENTORY)
        env = dict(os.environ, AWS_ENDPOINT_URL=local_aws.url, AWS_REGION=REGION, AWS_DEFAULT_REGION=REGION,
                   AWS_ACCESS_KEY_ID=MANAGEMENT_CREDENTIALS["aws_access_key_id"],
                   AWS_SECRET_ACCESS_KEY=MANAGEMENT_CREDENTIALS["aws_secret_access_key"],
                   ANSIBLE_NOCOLOR="1", PWD=str(WORK))
        report_path = WORK / "protonkit-bootstrap-report.json"

        local_aws.clear_calls()
        first = run_bootstrap(env, "First run: bootstrap every account")
        first_writes = len(local_aws.write_calls())
        first_report = json.loads(report_path.read_text())
        local_aws.clear_calls()
        second = run_bootstrap(env, "Second run: nothing left to change")
        second_writes = len(local_aws.write_calls())
        second_report = json.loads(report_path.read_text())

        banner("Every account read back: as documented?")
        problems = {account["name"]: problems_of(local_aws, account["id"]) for account in accounts}
        for name, found in problems.items():
            print(f"  {name:<10} " + ("as documented" if not found else "; ".join(found)))

        banner("Where each generated Administrator password was delivered (the password itself is never shown)")
        for account in first_report["accounts"]:
            places = ", ".join(account.get("password_delivered_to") or []) or "-"
            print(f"  {account['account_name']:<10} {account['account_id']}  {places}")
        banner("Result")
        print(f"  first run:  exit {first}, {first_writes} write calls, {first_report['counts']}")
        print(f"  second run: exit {second}, {second_writes} write calls, {second_report['counts']}")
        ok = (first == 0 and second == 0 and second_writes == 0 and not any(problems.values())
              and first_report["counts"]["created"] == 3 and second_report["counts"]["unchanged"] == 3)
        print("  demo OK: every account bootstrapped, and the rerun changed nothing" if ok else "  demo FAILED")
        return 0 if ok else 1
    finally:
        local_aws.stop()
        banner("Local AWS stopped")


if __name__ == "__main__":
    sys.exit(main())
