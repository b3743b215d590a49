"""Molecule verifier after teardown: no Proton role, no Proton setting, the break-glass admin still there.

    verify_torn_down.py REGION      (credentials of the account in the environment)
"""

import sys

import boto3

iam = boto3.client("iam")
roles = [r["RoleName"] for r in iam.list_roles(PathPrefix="/service-role/")["Roles"]]
assert not [name for name in roles if name.startswith("AWSProton")], roles
settings = boto3.client("proton", region_name=sys.argv[1]).get_account_settings()["accountSettings"]
assert settings == {}, settings
assert iam.get_user(UserName="Administrator")["User"]["UserName"] == "Administrator"
print("no Proton roles or settings left; the Administrator user is kept")
