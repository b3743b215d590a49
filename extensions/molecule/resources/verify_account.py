"""Molecule verifier: one bootstrapped account is exactly as the collection documents it (localaws.bootstrapped, the
definition the tests and the benchmark share), and its password is in its secret.

    verify_account.py ACCOUNT_ID REGION[,REGION...]      (credentials of the account in the environment)
"""

import hashlib
import json
import os
import sys

import boto3

from localaws.bootstrapped import PASSWORD_SECRET, account_state, bootstrap_problems


def main(account_id, regions):
    state = account_state(lambda service, region=None: boto3.client(service, region_name=region), regions)
    problems = bootstrap_problems(state, account_id, user_tags={"owner": "platform-team"})
    assert problems == [], problems
    # The console-access roles' one policy is the console's (the permissions option's default).
    for name in ("AWSProtonServiceRole", "AWSProtonPipelineServiceRole"):
        assert list(state["roles"][name]["inline"]) == ["ProtonProvisioning"], state["roles"][name]["inline"]
    secret = boto3.client("secretsmanager").get_secret_value(SecretId=PASSWORD_SECRET)
    document = json.loads(secret["SecretString"])
    assert document["account_id"] == account_id and len(document["password"]) >= 32
    record_password_digest(document["password"])
    print(f"account {account_id}: group, user, console access, secret, roles, trust and Proton settings verified")


def record_password_digest(password):
    """For tools/molecule.sh, which then proves the password is nowhere in Molecule's output: only its length and
    SHA-256 are written (a digest, never the password, so the check itself leaks nothing)."""
    path = os.environ.get("PROTONKIT_PASSWORD_DIGESTS")
    if path:
        with open(path, "a", encoding="utf-8") as digests:
            digests.write(f"{len(password)} {hashlib.sha256(password.encode()).hexdigest()}\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2].split(","))
