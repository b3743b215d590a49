"""What a bootstrapped account looks like, read back with boto3: one definition for the tests, Molecule's verifier,
the demo and the benchmark.

    state = account_state(client, regions=["us-east-1"])       # client(service, region=None) -> a boto3 client
    problems = bootstrap_problems(state, account_id, user_tags={"owner": "platform-team"})
    assert problems == [], problems

``account_state`` reads every group, user and role of the account (not only ours: a duplicate or a stray entity left
by a retried write shows), the secrets and each region's Proton account settings. Generated ids and dates are left
out, so the states of two accounts bootstrapped alike differ only by their account ids (``without_account``).
``bootstrap_problems`` says, in words, each way the state differs from what the collection documents.
"""

import json

ADMINISTRATOR, ADMINISTRATORS = "Administrator", "Administrators"
SERVICE_ROLE, PIPELINE_ROLE = "AWSProtonServiceRole", "AWSProtonPipelineServiceRole"
CODEBUILD_ROLE = "AWSProtonCodeBuildProvisioningRole"
ROLE_PATH = "/service-role/"
OWNERSHIP_TAG = {"protonkit:managed-by": "protonkit.accounts"}
PASSWORD_SECRET = "protonkit/Administrator/console-password"


def _tags(tags):
    return {tag["Key"]: tag["Value"] for tag in tags}


def _attached(response):
    return sorted(policy["PolicyArn"] for policy in response["AttachedPolicies"])


def _login_profile(iam, name):
    try:
        profile = iam.get_login_profile(UserName=name)["LoginProfile"]
    except iam.exceptions.NoSuchEntityException:
        return None
    return {"password_reset_required": profile.get("PasswordResetRequired")}


def account_state(client, regions=("us-east-1",)):
    """Everything a bootstrap manages in one account, JSON-ready. ``client(service, region=None)``: a boto3 client of
    the account (in ``region``, else the default one)."""
    iam = client("iam")
    groups = {}
    for group in iam.list_groups()["Groups"]:
        name = group["GroupName"]
        groups[name] = {
            "path": group["Path"],
            "attached": _attached(iam.list_attached_group_policies(GroupName=name)),
            "inline": sorted(iam.list_group_policies(GroupName=name)["PolicyNames"]),
            "members": sorted(user["UserName"] for user in iam.get_group(GroupName=name)["Users"]),
        }
    users = {}
    for user in iam.list_users()["Users"]:
        name = user["UserName"]
        users[name] = {
            "path": user["Path"],
            "tags": _tags(iam.list_user_tags(UserName=name)["Tags"]),
            "login_profile": _login_profile(iam, name),
            "attached": _attached(iam.list_attached_user_policies(UserName=name)),
            "inline": sorted(iam.list_user_policies(UserName=name)["PolicyNames"]),
            "access_keys": len(iam.list_access_keys(UserName=name)["AccessKeyMetadata"]),
        }
    roles = {}
    for role in iam.list_roles()["Roles"]:
        name = role["RoleName"]
        roles[name] = {
            "path": role["Path"],
            "description": role.get("Description", ""),
            "trust": role["AssumeRolePolicyDocument"],
            "inline": {policy: iam.get_role_policy(RoleName=name, PolicyName=policy)["PolicyDocument"]
                       for policy in iam.list_role_policies(RoleName=name)["PolicyNames"]},
            "attached": _attached(iam.list_attached_role_policies(RoleName=name)),
            "tags": _tags(iam.list_role_tags(RoleName=name)["Tags"]),
            "instance_profiles": [profile["InstanceProfileName"] for profile in
                                  iam.list_instance_profiles_for_role(RoleName=name)["InstanceProfiles"]],
        }
    secretsmanager = client("secretsmanager")
    secrets = {}
    for secret in secretsmanager.list_secrets()["SecretList"]:
        versions = secretsmanager.list_secret_version_ids(SecretId=secret["ARN"])["Versions"]
        secrets[secret["Name"]] = {"description": secret.get("Description"), "versions": len(versions),
                                   "deleted": "DeletedDate" in secret}
    proton = {region: client("proton", region).get_account_settings()["accountSettings"] for region in regions}
    return {"groups": groups, "users": users, "roles": roles, "secrets": secrets, "proton_settings": proton}


def without_account(state, account_id, placeholder="<account>"):
    """``state`` with ``account_id`` replaced everywhere (in ARNs and conditions), to compare accounts."""
    return json.loads(json.dumps(state, sort_keys=True).replace(account_id, placeholder))


def bootstrap_problems(state, account_id, user_tags=None, proton=True, codebuild=False, secret=PASSWORD_SECRET,
                       role_names=None):
    """Each way ``state`` (``account_state``) differs from an account bootstrapped as documented; [] when none.

    ``user_tags``: the Administrator's tags besides the ownership tag (None: not checked). ``proton``: the Proton
    half ran (its roles, registered in every region read); ``codebuild``: with the CodeBuild role. ``secret``: the
    password's secret, with exactly one version (None: not checked). ``role_names``: every role expected at
    /service-role/ (default: those the options make)."""
    problems = []

    def expect(what, actual, expected):
        if actual != expected:
            problems.append(f"{what}: {actual!r}, expected {expected!r}")

    group = state["groups"].get(ADMINISTRATORS)
    user = state["users"].get(ADMINISTRATOR)
    if group is None:
        problems.append(f"no group {ADMINISTRATORS}")
    else:
        expect("the group's managed policies", group["attached"], ["arn:aws:iam::aws:policy/AdministratorAccess"])
        expect("the group's members", group["members"], [ADMINISTRATOR])
    if user is None:
        problems.append(f"no user {ADMINISTRATOR}")
    else:
        expect("the user's console access", user["login_profile"], {"password_reset_required": True})
        expect("the user's ownership tag", {key: user["tags"].get(key) for key in OWNERSHIP_TAG}, OWNERSHIP_TAG)
        if user_tags is not None:
            expect("the user's tags", user["tags"], {**user_tags, **OWNERSHIP_TAG})
        expect("the user's access keys", user["access_keys"], 0)
    if secret is not None:
        expect(f"versions of the secret {secret}", state["secrets"].get(secret, {}).get("versions"), 1)

    expected_roles = role_names
    if expected_roles is None:
        expected_roles = ([SERVICE_ROLE, PIPELINE_ROLE] + ([CODEBUILD_ROLE] if codebuild else [])) if proton else []
    ours = sorted(name for name, role in state["roles"].items() if role["path"] == ROLE_PATH)
    expect(f"the roles at {ROLE_PATH}", ours, sorted(expected_roles))
    if proton:
        condition = {"StringEquals": {"aws:SourceAccount": account_id},
                     "ArnLike": {"aws:SourceArn": f"arn:aws:proton:*:{account_id}:*"}}
        for name in (SERVICE_ROLE, PIPELINE_ROLE):
            role = state["roles"].get(name)
            if role is None:
                continue
            statement = role["trust"]["Statement"][0]
            expect(f"{name}'s trusted service", statement.get("Principal"), {"Service": "proton.amazonaws.com"})
            expect(f"{name}'s trust condition", statement.get("Condition"), condition)
            expect(f"{name}'s ownership tag", {key: role["tags"].get(key) for key in OWNERSHIP_TAG}, OWNERSHIP_TAG)
        if codebuild and CODEBUILD_ROLE in state["roles"]:
            statement = state["roles"][CODEBUILD_ROLE]["trust"]["Statement"][0]
            expect(f"{CODEBUILD_ROLE}'s trusted service", statement.get("Principal"),
                   {"Service": "codebuild.amazonaws.com"})
        settings = {"pipelineServiceRoleArn": f"arn:aws:iam::{account_id}:role{ROLE_PATH}{PIPELINE_ROLE}"}
        if codebuild:
            settings["pipelineCodebuildRoleArn"] = f"arn:aws:iam::{account_id}:role{ROLE_PATH}{CODEBUILD_ROLE}"
        for region, actual in state["proton_settings"].items():
            expect(f"the Proton account settings in {region}", actual, settings)
    return problems
