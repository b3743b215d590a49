"""Variant (c) of the benchmark, the floor: the end state of playbooks/bootstrap.yml with boto3 alone.

    python benchmarks/floor_boto3.py INVENTORY VARS --workers 20

No Ansible, no process per task: one Python process, a thread pool of ``--workers`` threads (the forks of the other
variants), one account per task. Per account: enter it (sts:AssumeRole, the inventory's aws_assume_role_arn), read
it once (iam:GetAccountAuthorizationDetails; iam:ListRoles for the roles' descriptions and iam:GetLoginProfile only
when the roles or the user exist), write only what differs, and read then write Proton's account settings per
region. A rerun therefore writes nothing. The policy documents and the ownership tag come from the collection's
module_utils (through the .build/collections link tree), so that (c) builds exactly what (a) builds.

Credentials, endpoint and the STS region come from the environment (AWS_*), as for the other variants. Prints one
JSON object: {"accounts": N, "changed_accounts": n, "writes": {"iam:CreateUser": n, ...}}; exits 1 on any failure.
"""

import argparse
import collections
import json
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import botocore.exceptions
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / ".build" / "collections"))

# pylint: disable=wrong-import-position
from ansible_collections.protonkit.accounts.plugins.module_utils.ownership import with_ownership_tag  # noqa: E402
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import (  # noqa: E402
    PERMISSIONS_POLICY_NAME, PROTON_SERVICE, permissions_policy, trust_policy)

# What bootstrap.yml builds with the benchmark's variables (the roles' defaults of protonkit.accounts).
GROUP_NAME, GROUP_PATH = "Administrators", "/"
USER_NAME, USER_PATH = "Administrator", "/"
ROLE_PATH = "/service-role/"
ROLES = {"AWSProtonServiceRole": "AWS Proton service role",
         "AWSProtonPipelineServiceRole": "AWS Proton pipeline service role"}
PIPELINE_ROLE = "AWSProtonPipelineServiceRole"
# How long UpdateAccountSettings is retried while IAM propagates a just-created role (as (a) does, bounded).
PROPAGATION_SECONDS = 60


class AccountBootstrap:
    """The calls for one account; ``writes`` counts each write by action, so that the caller can report them."""

    def __init__(self, session, sts, account_id, role_arn, settings):
        self.account_id, self.role_arn, self.settings = account_id, role_arn, settings
        self.partition = role_arn.split(":")[1]
        self.writes = collections.Counter()
        credentials = sts.assume_role(RoleArn=role_arn, RoleSessionName="floor-bootstrap")["Credentials"]
        self.keys = {"aws_access_key_id": credentials["AccessKeyId"],
                     "aws_secret_access_key": credentials["SecretAccessKey"],
                     "aws_session_token": credentials["SessionToken"]}
        self.session = session
        self.iam = session.client("iam", **self.keys)

    def write(self, action, operation, **kwargs):
        self.writes[action] += 1
        return operation(**kwargs)

    def run(self):
        details = self.iam.get_account_authorization_details(Filter=["User", "Group", "Role"])
        if details.get("IsTruncated"):  # never in a freshly bootstrapped account; the floor does not page
            raise RuntimeError(f"{self.account_id}: more IAM entities than one page holds")
        lists = (("users", "UserDetailList", "UserName"), ("groups", "GroupDetailList", "GroupName"),
                 ("roles", "RoleDetailList", "RoleName"))
        by_name = {key: {item[name_key]: item for item in details[list_key]} for key, list_key, name_key in lists}
        self.ensure_group(by_name["groups"].get(GROUP_NAME))
        self.ensure_user(by_name["users"].get(USER_NAME))
        self.ensure_roles({name: by_name["roles"].get(name) for name in ROLES})
        self.ensure_proton_settings()
        return self.writes

    def ensure_group(self, group):
        if group is None:
            self.write("iam:CreateGroup", self.iam.create_group, GroupName=GROUP_NAME, Path=GROUP_PATH)
            attached = set()
        else:
            attached = {policy["PolicyArn"] for policy in group.get("AttachedManagedPolicies", [])}
        administrator_access = f"arn:{self.partition}:iam::aws:policy/AdministratorAccess"
        if administrator_access not in attached:  # (a) purges nothing by default: attach only
            self.write("iam:AttachGroupPolicy", self.iam.attach_group_policy, GroupName=GROUP_NAME,
                       PolicyArn=administrator_access)

    def ensure_user(self, user):
        desired_tags = with_ownership_tag(self.settings["iam_admin_tags"])
        if user is None:
            self.write("iam:CreateUser", self.iam.create_user, UserName=USER_NAME, Path=USER_PATH,
                       Tags=tag_list(desired_tags))
            self.create_login_profile()
            groups = []
        else:
            self.ensure_tags("User", USER_NAME, user.get("Tags", []), desired_tags)
            try:  # the one thing GetAccountAuthorizationDetails does not tell about a user
                profile = self.iam.get_login_profile(UserName=USER_NAME)["LoginProfile"]
            except self.iam.exceptions.NoSuchEntityException:
                self.create_login_profile()
            else:  # update_password on_create: the password stays; only the reset flag is kept true
                if not profile.get("PasswordResetRequired"):
                    self.write("iam:UpdateLoginProfile", self.iam.update_login_profile, UserName=USER_NAME,
                               PasswordResetRequired=True)
            groups = user.get("GroupList", [])
        if GROUP_NAME not in groups:
            self.write("iam:AddUserToGroup", self.iam.add_user_to_group, GroupName=GROUP_NAME, UserName=USER_NAME)

    def create_login_profile(self):
        self.write("iam:CreateLoginProfile", self.iam.create_login_profile, UserName=USER_NAME,
                   Password=self.settings["iam_admin_password"], PasswordResetRequired=True)

    def ensure_tags(self, kind, name, current_list, desired):
        current = {tag["Key"]: tag["Value"] for tag in current_list}
        to_remove = sorted(set(current) - set(desired))  # purge_tags, as (a) does by default
        to_set = {key: value for key, value in desired.items() if current.get(key) != value}
        if to_remove:
            self.write(f"iam:Untag{kind}", getattr(self.iam, f"untag_{kind.lower()}"), **{f"{kind}Name": name},
                       TagKeys=to_remove)
        if to_set:
            self.write(f"iam:Tag{kind}", getattr(self.iam, f"tag_{kind.lower()}"), **{f"{kind}Name": name},
                       Tags=tag_list(to_set))

    def ensure_roles(self, current_roles):
        trust = trust_policy(PROTON_SERVICE, self.account_id, self.partition)
        permissions = permissions_policy("console", self.account_id, self.partition)
        tags = with_ownership_tag({})
        descriptions = {}
        if any(current_roles.values()):  # role details lack the description: one listing over the roles' path
            descriptions = {role["RoleName"]: role.get("Description", "")
                            for role in self.iam.list_roles(PathPrefix=ROLE_PATH)["Roles"]}
        for name, description in ROLES.items():
            role = current_roles[name]
            if role is None:
                self.write("iam:CreateRole", self.iam.create_role, RoleName=name, Path=ROLE_PATH,
                           AssumeRolePolicyDocument=json.dumps(trust), Description=description,
                           Tags=tag_list(tags))
                inline, attached = {}, []
            else:
                if role["Path"] != ROLE_PATH:
                    raise RuntimeError(f"{self.account_id}: role {name} is at path {role['Path']}")
                if not same_policy(decoded(role["AssumeRolePolicyDocument"]), trust):
                    self.write("iam:UpdateAssumeRolePolicy", self.iam.update_assume_role_policy, RoleName=name,
                               PolicyDocument=json.dumps(trust))
                if descriptions.get(name, "") != description:
                    self.write("iam:UpdateRole", self.iam.update_role, RoleName=name, Description=description)
                self.ensure_tags("Role", name, role.get("Tags", []), tags)
                inline = {policy["PolicyName"]: decoded(policy["PolicyDocument"])
                          for policy in role.get("RolePolicyList", [])}
                attached = [policy["PolicyArn"] for policy in role.get("AttachedManagedPolicies", [])]
            for arn in attached:  # purge_policies, as (a) does by default: no managed policy on these roles
                self.write("iam:DetachRolePolicy", self.iam.detach_role_policy, RoleName=name, PolicyArn=arn)
            for policy_name in sorted(set(inline) - {PERMISSIONS_POLICY_NAME}):
                self.write("iam:DeleteRolePolicy", self.iam.delete_role_policy, RoleName=name, PolicyName=policy_name)
            if PERMISSIONS_POLICY_NAME not in inline or not same_policy(inline[PERMISSIONS_POLICY_NAME], permissions):
                self.write("iam:PutRolePolicy", self.iam.put_role_policy, RoleName=name,
                           PolicyName=PERMISSIONS_POLICY_NAME, PolicyDocument=json.dumps(permissions))

    def ensure_proton_settings(self):
        pipeline_arn = f"arn:{self.partition}:iam::{self.account_id}:role{ROLE_PATH}{PIPELINE_ROLE}"
        for region in self.settings["proton_regions"]:
            proton = self.session.client("proton", region_name=region, **self.keys)
            current = proton.get_account_settings()["accountSettings"]
            if current.get("pipelineServiceRoleArn") != pipeline_arn:
                self.update_proton_settings(proton, pipeline_arn)

    def update_proton_settings(self, proton, pipeline_arn):
        # A role created a moment ago may not be known to Proton yet (IAM propagation): retry that error only.
        deadline, delay = time.monotonic() + PROPAGATION_SECONDS, 1.0
        while True:
            try:
                return self.write("proton:UpdateAccountSettings", proton.update_account_settings,
                                  pipelineServiceRoleArn=pipeline_arn)
            except botocore.exceptions.ClientError as error:
                if error.response["Error"]["Code"] != "ValidationException" or time.monotonic() + delay > deadline:
                    raise
            time.sleep(delay)
            delay = min(delay * 2, 8.0)


def tag_list(tags):
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def decoded(document):
    return json.loads(document) if isinstance(document, str) else document


def same_policy(current, desired):
    """Policies compare equal whatever the order of their actions or a lone statement/action given as a list."""
    return canonical_policy(current) == canonical_policy(desired)


def canonical_policy(item):
    if isinstance(item, dict):
        return {key: canonical_policy(value) for key, value in item.items()}
    if isinstance(item, list):
        items = [canonical_policy(value) for value in item]
        if all(isinstance(value, str) for value in items):
            return sorted(items) if len(items) != 1 else items[0]
        return items[0] if len(items) == 1 else items
    return item


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inventory", type=Path, help="the benchmark's inventory (hosts with aws_assume_role_arn)")
    parser.add_argument("variables", type=Path, help="the benchmark's variables (the playbooks' -e @file)")
    parser.add_argument("--workers", type=int, default=5, help="threads, one account each at a time (the forks)")
    args = parser.parse_args()
    hosts = yaml.safe_load(args.inventory.read_text())["all"]["hosts"].values()
    settings = yaml.safe_load(args.variables.read_text())
    sts_region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    # boto3 sessions are not thread-safe: one per thread, each loading the service models once.
    local = threading.local()

    def bootstrap(host):
        if not hasattr(local, "session"):
            local.session = boto3.session.Session(region_name=sts_region)
            local.sts = local.session.client("sts")
        return AccountBootstrap(local.session, local.sts, host["aws_account_id"], host["aws_assume_role_arn"],
                                settings).run()

    with ThreadPoolExecutor(max_workers=args.workers) as pool:
        results = list(pool.map(bootstrap, hosts))
    writes = sum(results, collections.Counter())
    print(json.dumps({"accounts": len(results), "changed_accounts": sum(bool(result) for result in results),
                      "writes": dict(sorted(writes.items()))}))


if __name__ == "__main__":
    main()
