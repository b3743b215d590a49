"""Run ``ansible-playbook protonkit.accounts.bootstrap`` from an installed artifact against the local AWS.

tools/galaxy_check.sh calls this after installing the built tarball into an empty collections path: the
playbook is addressed by its collection name and run from a scratch directory outside the checkout, with only
that path configured (amazon.aws comes from the toolchain's venv), so it proves the artifact works on its own.

It starts the local AWS, creates the sample organization (the demo's), writes an organization inventory, runs
the playbook and checks that every member account was bootstrapped, then stops the local AWS.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

from localaws.client import LocalAWSClient
from localaws.sample_org import MANAGEMENT_CREDENTIALS, REGION, create_sample_organization

INVENTORY = "plugin: protonkit.accounts.organization\n"
REPORT = "protonkit-bootstrap-report.json"


def run(collections_path, workdir):
    local_aws = LocalAWSClient.start(state_dir=workdir / "localaws")
    try:
        accounts = create_sample_organization(local_aws.url)
        print(f"local AWS at {local_aws.url}: organization with {len(accounts)} member accounts", flush=True)
        (workdir / "accounts.aws_org.yml").write_text(INVENTORY)
        env = dict(
            os.environ,
            ANSIBLE_COLLECTIONS_PATH=str(collections_path),
            ANSIBLE_NOCOLOR="1",
            AWS_ENDPOINT_URL=local_aws.url,
            AWS_REGION=REGION,
            AWS_DEFAULT_REGION=REGION,
            AWS_ACCESS_KEY_ID=MANAGEMENT_CREDENTIALS["aws_access_key_id"],
            AWS_SECRET_ACCESS_KEY=MANAGEMENT_CREDENTIALS["aws_secret_access_key"],
            PWD=str(workdir),
        )
        command = [str(Path(sys.executable).with_name("ansible-playbook")), "protonkit.accounts.bootstrap",
                   "-i", "accounts.aws_org.yml", "-e", json.dumps({"proton_regions": [REGION], "account_bootstrap_proton_roles": True})]
        print("$ " + " ".join(command[1:]), flush=True)
        returncode = subprocess.run(command, env=env, cwd=workdir, check=False).returncode
        if returncode != 0:
            print(f"ansible-playbook exited {returncode}", file=sys.stderr)
            return 1
        report_path = workdir / REPORT
        if not report_path.is_file():
            print(f"the playbook wrote no {REPORT}", file=sys.stderr)
            return 1
        counts = json.loads(report_path.read_text())["counts"]
        print(f"report counts: {counts}")
        if counts.get("failed") or counts.get("created") != len(accounts):
            print(f"expected {len(accounts)} accounts created and none failed", file=sys.stderr)
            return 1
        return 0
    finally:
        local_aws.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--collections-path", required=True, type=Path,
                        help="the collections path the artifact was installed into")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="protonkit-installed-") as scratch:
        return run(args.collections_path.resolve(), Path(scratch))


if __name__ == "__main__":
    sys.exit(main())
