"""Molecule verifier: one bootstrapped account is exactly as the collection documents it.

    verify_account.py ACCOUNT_ID REGION[,REGION...]      (credentials of the account in the environment)
"""

import hashlib
import json
import os
import sys

import boto3


def main(account_id, regions):
    iam = boto3.client("iam")
    group = iam.get_group(GroupName="Administrators")
    assert [u["UserName"] for u in group["Users"]] == ["Administrator"], group["Users"]
    attached = [p["PolicyArn"] for p in iam.list_attached_group_policies(GroupName="Administrators")["AttachedPolicies"]]
    assert attached == ["arn:aws:iam::aws:policy/AdministratorAccess"], attached
    profile = iam.get_login_profile(UserName="Administrator")["LoginProfile"]
    assert profile["PasswordResetRequired"] is True, profile
    tags = {t["Key"]: t["Value"] for t in iam.get_user(UserName="Administrator")["User"].get("Tags", [])}
    assert tags == {"owner": "platform-team", "protonkit:managed-by": "protonkit.accounts"}, tags
    secret = boto3.client("secretsmanager").get_secret_value(SecretId="protonkit/Administrator/console-password")
    document = json.loads(secret["SecretString"])
    assert document["account_id"] == account_id and len(document["password"]) >= 32
    record_password_digest(document["password"])

    expected_trust = {
        "StringEquals": {"aws:SourceAccount": account_id},
        "ArnLike": {"aws:SourceArn": f"arn:aws:proton:*:{account_id}:*"},
    }
    for name in ("AWSProtonServiceRole", "AWSProtonPipelineServiceRole"):
        role = iam.get_role(RoleName=name)["Role"]
        assert role["Path"] == "/service-role/", role["Path"]
        statement = role["AssumeRolePolicyDocument"]["Statement"][0]
        assert statement["Principal"] == {"Service": "proton.amazonaws.com"}, statement
        assert statement["Condition"] == expected_trust, statement["Condition"]
        assert iam.list_role_policies(RoleName=name)["PolicyNames"] == ["ProtonProvisioning"]
    pipeline_arn = f"arn:aws:iam::{account_id}:role/service-role/AWSProtonPipelineServiceRole"
    for region in regions:
        settings = boto3.client("proton", region_name=region).get_account_settings()["accountSettings"]
        assert settings == {"pipelineServiceRoleArn": pipeline_arn}, (region, settings)
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
