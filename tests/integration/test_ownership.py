"""Only what protonkit.accounts made is changed or removed (issue 15), against the local AWS.

A user, group or role of the configured name that the collection did not make is refused by a bootstrap (before its
first write, the same in check mode), taken over only with ``adopt``, and left alone by a teardown.
"""

import json

import pytest

from integration.ansible_runs import REPO, management_env, run_playbook, write_inventory
from localaws.bootstrapped import account_state, bootstrap_problems

OWNED = {"protonkit:managed-by": "protonkit.accounts"}
ADMIN_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
PASSWORD = "Ownership-Passw0rd!-never-shown-3c1d"
SERVICE, PIPELINE, CODEBUILD = "AWSProtonServiceRole", "AWSProtonPipelineServiceRole", "AWSProtonCodeBuildProvisioningRole"
EC2_TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
THEIR_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}


# --- someone else's things under the names the collection uses ------------------------------------------------------
def foreign_group(account):
    """An Administrators group of someone else's: a member, and read-only access."""
    iam = account.client("iam")
    iam.create_user(UserName="bob")
    iam.create_group(GroupName="Administrators")
    iam.add_user_to_group(GroupName="Administrators", UserName="bob")
    iam.attach_group_policy(GroupName="Administrators", PolicyArn=READ_ONLY)


def foreign_user(account):
    """A user named Administrator of someone else's, at another path, with an access key of its own."""
    iam = account.client("iam")
    iam.create_user(UserName="Administrator", Path="/people/", Tags=[{"Key": "team", "Value": "data"}])
    iam.create_access_key(UserName="Administrator")


def foreign_service_role(account):
    """A customer role named like the Proton service role, at its path, trusting EC2, with policies of its own."""
    iam = account.client("iam")
    iam.create_role(RoleName=SERVICE, Path="/service-role/", AssumeRolePolicyDocument=json.dumps(EC2_TRUST))
    iam.put_role_policy(RoleName=SERVICE, PolicyName="theirs", PolicyDocument=json.dumps(THEIR_POLICY))
    iam.attach_role_policy(RoleName=SERVICE, PolicyArn=READ_ONLY)


def foreign_codebuild_role(account):
    """A customer role named like the CodeBuild role, at another path."""
    iam = account.client("iam")
    iam.create_role(RoleName=CODEBUILD, Path="/builds/", AssumeRolePolicyDocument=json.dumps(EC2_TRUST))
    iam.attach_role_policy(RoleName=CODEBUILD, PolicyArn=READ_ONLY)


FOREIGN = {  # kind -> (seed, what it is as the modules name it, extra playbook variables that make the run use it)
    "group": (foreign_group, ("group", "Administrators"), {}),
    "user": (foreign_user, ("user", "Administrator"), {}),
    "service_role": (foreign_service_role, ("role", SERVICE), {}),
    "codebuild_role": (foreign_codebuild_role, ("role", CODEBUILD), {"proton_roles_codebuild_role": True}),
}


def iam_state(account):
    """The account's whole IAM state: users (tags, groups, policies, access keys, console access), groups (members,
    policies), roles (trust, tags, policies)."""
    iam = account.client("iam")
    users, groups, roles = {}, {}, {}
    for user in iam.list_users()["Users"]:
        name = user["UserName"]
        try:
            login = iam.get_login_profile(UserName=name)["LoginProfile"]["PasswordResetRequired"]
        except iam.exceptions.NoSuchEntityException:
            login = None
        users[name] = {
            "path": user["Path"], "id": user["UserId"], "login": login,
            "tags": iam.list_user_tags(UserName=name)["Tags"],
            "groups": sorted(group["GroupName"] for group in iam.list_groups_for_user(UserName=name)["Groups"]),
            "attached": iam.list_attached_user_policies(UserName=name)["AttachedPolicies"],
            "inline": iam.list_user_policies(UserName=name)["PolicyNames"],
            "keys": [key["AccessKeyId"] for key in iam.list_access_keys(UserName=name)["AccessKeyMetadata"]],
        }
    for group in iam.list_groups()["Groups"]:
        name = group["GroupName"]
        groups[name] = {
            "path": group["Path"], "id": group["GroupId"],
            "members": sorted(user["UserName"] for user in iam.get_group(GroupName=name)["Users"]),
            "attached": iam.list_attached_group_policies(GroupName=name)["AttachedPolicies"],
            "inline": iam.list_group_policies(GroupName=name)["PolicyNames"],
        }
    for role in iam.list_roles()["Roles"]:
        name = role["RoleName"]
        roles[name] = {
            "path": role["Path"], "id": role["RoleId"], "trust": role["AssumeRolePolicyDocument"],
            "tags": iam.list_role_tags(RoleName=name)["Tags"],
            "attached": iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"],
            "inline": {policy: iam.get_role_policy(RoleName=name, PolicyName=policy)["PolicyDocument"]
                       for policy in iam.list_role_policies(RoleName=name)["PolicyNames"]},
        }
    settings = account.client("proton").get_account_settings()["accountSettings"]
    return {"users": users, "groups": groups, "roles": roles, "proton_settings": settings}


def refused_names(message):
    return message.startswith("Not created by protonkit.accounts") and "adopt: true" in message


# --- the modules ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["group", "user"])
def test_iam_module_refuses_someone_elses_user_or_group_then_adopts_it(ansible_module, aws_account, kind):
    seed, (entity, name), _vars = FOREIGN[kind]
    seed(aws_account)
    before = iam_state(aws_account)
    writes = len(aws_account.write_calls())
    for check in (True, False):  # check mode predicts the refusal
        run = ansible_module("iam_admin_bootstrap", {"password": PASSWORD}, aws_account.env, check=check)
        assert run.result.get("failed"), run.output
        assert refused_names(run.result["msg"]) and f"{entity} {name}: " in run.result["msg"], run.result["msg"]
        assert "iam_admin_adopt" in run.result["msg"]
        assert [(item["kind"], item["name"]) for item in run.result["refused"]] == [(entity, name)]
    assert aws_account.write_calls()[writes:] == []
    assert iam_state(aws_account) == before

    adopted = ansible_module("iam_admin_bootstrap", {"password": PASSWORD, "adopt": True}, aws_account.env)
    assert adopted.rc == 0 and adopted.result["changed"], adopted.output
    iam = aws_account.client("iam")
    user = iam.get_user(UserName="Administrator")["User"]
    assert user["Path"] == "/" and OWNED.items() <= {t["Key"]: t["Value"] for t in user["Tags"]}.items()
    members = sorted(u["UserName"] for u in iam.get_group(GroupName="Administrators")["Users"])
    assert members == (["Administrator", "bob"] if kind == "group" else ["Administrator"])
    # Adopted, it is ours: a rerun without adopt writes nothing.
    writes = len(aws_account.write_calls())
    rerun = ansible_module("iam_admin_bootstrap", {"password": PASSWORD}, aws_account.env)
    assert rerun.rc == 0 and rerun.result["changed"] is False, rerun.output
    assert aws_account.write_calls()[writes:] == []

    # And a teardown removes it; a group someone else still uses is kept, as it was before we took it over.
    removed = ansible_module("iam_admin_bootstrap", {"state": "absent"}, aws_account.env)
    assert removed.rc == 0 and removed.result["changed"], removed.output
    after = iam_state(aws_account)
    assert "Administrator" not in after["users"]
    if kind == "group":
        assert after["groups"] == before["groups"]
        assert [(item["kind"], item["name"]) for item in removed.result["kept"]] == [("group", "Administrators")]
    else:
        assert after["groups"] == {} and removed.result["kept"] == []


def test_iam_module_teardown_keeps_someone_elses_user_and_group(ansible_module, aws_account):
    foreign_user(aws_account)
    aws_account.client("iam").create_group(GroupName="Administrators")
    aws_account.client("iam").put_group_policy(GroupName="Administrators", PolicyName="theirs",
                                               PolicyDocument=json.dumps(THEIR_POLICY))
    before = iam_state(aws_account)
    for check in (True, False):
        run = ansible_module("iam_admin_bootstrap", {"state": "absent"}, aws_account.env, check=check, diff=True)
        assert run.rc == 0 and run.result["changed"] is False, run.output
        kept = {item["kind"]: item["reason"] for item in run.result["kept"]}
        assert "/people/" in kept["user"] and "inline policies (theirs)" in kept["group"]
        assert run.result["diff"]["before"] == run.result["diff"]["after"]
    assert iam_state(aws_account) == before


def test_iam_module_recognises_what_an_earlier_version_made(ansible_module, aws_account):
    # What an earlier version left, untagged: the group with AdministratorAccess, the user at / in it.
    iam = aws_account.client("iam")
    iam.create_group(GroupName="Administrators")
    iam.attach_group_policy(GroupName="Administrators", PolicyArn=ADMIN_ACCESS)
    iam.create_user(UserName="Administrator", Tags=[{"Key": "owner", "Value": "platform"}])
    iam.add_user_to_group(GroupName="Administrators", UserName="Administrator")
    iam.create_login_profile(UserName="Administrator", Password=PASSWORD, PasswordResetRequired=False)
    writes = len(aws_account.write_calls())
    upgrade = ansible_module("iam_admin_bootstrap", {"password": PASSWORD}, aws_account.env)
    assert upgrade.rc == 0 and upgrade.result["changed"], upgrade.output
    assert [c["action"] for c in aws_account.write_calls()[writes:]] == ["TagUser"]  # only the ownership tag
    assert upgrade.result["user"]["tags"] == {"owner": "platform", **OWNED}
    writes = len(aws_account.write_calls())
    assert ansible_module("iam_admin_bootstrap", {"password": PASSWORD}, aws_account.env).result["changed"] is False
    assert aws_account.write_calls()[writes:] == []


def test_iam_module_never_makes_other_members_administrators_unasked(ansible_module, aws_account):
    ansible_module("iam_admin_bootstrap", {"password": PASSWORD}, aws_account.env)
    iam = aws_account.client("iam")
    iam.create_user(UserName="alice")
    iam.add_user_to_group(GroupName="Administrators", UserName="alice")
    iam.detach_group_policy(GroupName="Administrators", PolicyArn=ADMIN_ACCESS)
    writes = len(aws_account.write_calls())
    run = ansible_module("iam_admin_bootstrap", {"password": PASSWORD}, aws_account.env)
    assert run.result.get("failed") and "other members (alice)" in run.result["msg"], run.output
    assert aws_account.write_calls()[writes:] == []
    assert ansible_module("iam_admin_bootstrap", {"password": PASSWORD, "adopt": True}, aws_account.env).rc == 0
    assert [p["PolicyArn"] for p in iam.list_attached_group_policies(GroupName="Administrators")["AttachedPolicies"]
            ] == [ADMIN_ACCESS]


@pytest.mark.parametrize("kind", ["service_role", "codebuild_role"])
def test_proton_module_refuses_someone_elses_role_then_adopts_it(ansible_module, aws_account, kind):
    seed, (_entity, name), _vars = FOREIGN[kind]
    seed(aws_account)
    args = {"codebuild_role": kind == "codebuild_role"}
    before = iam_state(aws_account)
    writes = len(aws_account.write_calls())
    # The module in check mode and for real, and its check on the controller (the bootstrap's, before the IAM half).
    for module, check in (("proton_account_roles", True), ("proton_account_roles", False),
                          ("proton_account_roles_check", False)):
        run = ansible_module(module, args, aws_account.env, check=check)
        assert run.result.get("failed"), run.output
        assert refused_names(run.result["msg"]) and f"role {name}: " in run.result["msg"], run.result["msg"]
        assert "proton_roles_adopt" in run.result["msg"]
        assert [(item["kind"], item["name"]) for item in run.result["refused"]] == [("role", name)], module
    assert aws_account.write_calls()[writes:] == []
    assert iam_state(aws_account) == before

    adopted = ansible_module("proton_account_roles", dict(args, adopt=True), aws_account.env)
    if kind == "codebuild_role":  # IAM can't move a role: adopting one at another path is still an error
        assert adopted.result.get("failed") and "role_path" in adopted.result["msg"], adopted.output
        assert iam_state(aws_account) == before
        return
    assert adopted.rc == 0 and adopted.result["changed"], adopted.output
    role = adopted.result["roles"]["service"]
    assert role["tags"] == OWNED and role["managed_policy_arns"] == [] and list(role["inline_policies"]) == [
        "ProtonProvisioning"]
    assert role["trust_policy"]["Statement"][0]["Principal"] == {"Service": "proton.amazonaws.com"}
    writes = len(aws_account.write_calls())
    assert ansible_module("proton_account_roles", args, aws_account.env).result["changed"] is False
    assert aws_account.write_calls()[writes:] == []
    removed = ansible_module("proton_account_roles", {"state": "absent"}, aws_account.env)
    assert sorted(removed.result["removed_roles"]) == [PIPELINE, SERVICE] and removed.result["kept"] == []


def test_proton_module_teardown_keeps_someone_elses_roles(ansible_module, aws_account):
    ansible_module("proton_account_roles", {}, aws_account.env)  # ours: the pipeline role (and the service role)
    iam = aws_account.client("iam")
    iam.delete_role_policy(RoleName=SERVICE, PolicyName="ProtonProvisioning")
    iam.delete_role(RoleName=SERVICE)
    foreign_service_role(aws_account)
    foreign_codebuild_role(aws_account)  # its name, another path, and the CodeBuild option off
    theirs = {name: role for name, role in iam_state(aws_account)["roles"].items() if name in (SERVICE, CODEBUILD)}
    for check in (True, False):
        run = ansible_module("proton_account_roles", {"state": "absent"}, aws_account.env, check=check)
        assert run.rc == 0 and run.result["removed_roles"] == [PIPELINE], run.output
        kept = {item["name"]: item["reason"] for item in run.result["kept"]}
        assert set(kept) == {SERVICE, CODEBUILD}
        assert "trust policy" in kept[SERVICE] and "/builds/" in kept[CODEBUILD]
    after = iam_state(aws_account)
    assert after["roles"] == theirs
    assert after["proton_settings"] == {}  # it pointed at our pipeline role


def test_proton_module_recognises_what_an_earlier_version_made(ansible_module, aws_account):
    ansible_module("proton_account_roles", {"codebuild_role": True}, aws_account.env)
    iam = aws_account.client("iam")
    for name in (SERVICE, PIPELINE, CODEBUILD):  # an earlier version tagged nothing
        iam.untag_role(RoleName=name, TagKeys=list(OWNED))
    writes = len(aws_account.write_calls())
    upgrade = ansible_module("proton_account_roles", {"codebuild_role": True}, aws_account.env)
    assert upgrade.rc == 0 and upgrade.result["changed"], upgrade.output
    assert sorted(c["action"] for c in aws_account.write_calls()[writes:]) == ["TagRole"] * 3
    writes = len(aws_account.write_calls())
    assert ansible_module("proton_account_roles", {"codebuild_role": True}, aws_account.env).result["changed"] is False
    assert aws_account.write_calls()[writes:] == []


def test_proton_module_teardown_respects_the_role_path(ansible_module, aws_account):
    ansible_module("proton_account_roles", {"role_path": "/proton/", "configure_account_settings": False},
                   aws_account.env)
    run = ansible_module("proton_account_roles", {"state": "absent", "configure_account_settings": False},
                         aws_account.env)
    assert run.rc == 0 and run.result["removed_roles"] == [], run.output
    assert all("not role_path '/service-role/'" in item["reason"] for item in run.result["kept"])
    assert len(aws_account.client("iam").list_roles(PathPrefix="/proton/")["Roles"]) == 2


# --- the playbooks, over an account with someone else's thing and a clean one -------------------------------------
def report(tmp_path, operation):
    records = json.loads((tmp_path / f"protonkit-{operation}-report.json").read_text())["accounts"]
    return {record["account_id"]: record for record in records}


def bootstrapped(account, adopted=None):
    """Bootstrapped as documented (the password given, so no secret), but for what adopting ``adopted`` (a FOREIGN
    kind) keeps of theirs: the group's other member and policy, the user's own access key."""
    state = account_state(account.client)
    if adopted == "group":
        group = state["groups"]["Administrators"]
        group["members"] = [name for name in group["members"] if name != "bob"]
        group["attached"] = [arn for arn in group["attached"] if arn != READ_ONLY]
    if adopted == "user":
        state["users"]["Administrator"]["access_keys"] -= 1
    return bootstrap_problems(state, account.account_id, user_tags={}, secret=None)


def test_playbooks_leave_someone_elses_things_alone_unless_adopted(local_aws, aws_account_factory, tmp_path):
    # One account per kind of foreign thing, and a clean one, in the same runs: what happens to each is its own.
    kinds = sorted(FOREIGN)
    *foreign_accounts, clean = aws_account_factory(len(kinds) + 1)
    foreign = dict(zip(kinds, foreign_accounts))
    for kind, account in foreign.items():
        FOREIGN[kind][0](account)
    # The variables a kind needs (the CodeBuild option) for its account only, and for the bootstrap only: the
    # teardown runs with the defaults.
    bootstrap_inventory = write_inventory(tmp_path / "bootstrap.yml", [*foreign_accounts, clean], host_vars={
        foreign[kind].account_id: FOREIGN[kind][2] for kind in kinds})
    teardown_inventory = write_inventory(tmp_path / "teardown.yml", [*foreign_accounts, clean])
    env = management_env(local_aws, tmp_path)
    extra = ["-e", json.dumps({"iam_admin_password": PASSWORD, "account_bootstrap_proton_roles": True})]

    def playbook(name, *more, inventory=bootstrap_inventory):
        return run_playbook(REPO / "playbooks" / f"{name}.yml", env, callback="ansible.builtin.default",
                            inventory=inventory, cwd=tmp_path, extra_args=extra + list(more))

    def kept(records, kind):
        return [(item["kind"], item["name"]) for item in records[foreign[kind].account_id]["kept"]]

    before = {kind: iam_state(account) for kind, account in foreign.items()}
    writes = {kind: len(account.write_calls()) for kind, account in foreign.items()}
    # The real run refuses, writing nothing (check mode predicting the refusal is the module tests' above).
    run = playbook("bootstrap")
    assert run.rc == 2, run.output[-3000:]
    records = report(tmp_path, "bootstrap")
    for kind, account in foreign.items():
        _seed, (entity, name), _vars = FOREIGN[kind]
        error = records[account.account_id]["error"]["message"]
        assert records[account.account_id]["status"] == "failed" and refused_names(error), (kind, error)
        assert f"{entity} {name}: " in error, (kind, error)
        assert kept(records, kind) == [(entity, name)]
        assert account.write_calls()[writes[kind]:] == [], kind
        assert iam_state(account) == before[kind], kind
    assert records[clean.account_id]["status"] == "created"
    assert bootstrapped(clean) == []

    # Teardown, the administrator too: ours goes, theirs stays (with the CodeBuild option off, as by default).
    teardown = playbook("teardown", "-e", "protonkit_remove_admin=true", inventory=teardown_inventory)
    assert teardown.rc == 0, teardown.output[-3000:]
    records = report(tmp_path, "teardown")
    assert "Left as they are" in teardown.output
    for kind, account in foreign.items():
        _seed, (entity, name), _vars = FOREIGN[kind]
        assert iam_state(account) == before[kind], kind
        assert kept(records, kind) == [(entity, name)]
        assert f"{entity} {name}: " in teardown.output, kind
    clean_state = iam_state(clean)
    assert clean_state["users"] == {} and clean_state["groups"] == {} and clean_state["roles"] == {}

    # Adopted, it is ours. Not the CodeBuild role at another path: IAM can't move it, so it can't be adopted (see
    # the module test); its account stays out of these runs.
    not_codebuild = f"!{foreign['codebuild_role'].account_id}"
    adopt = playbook("bootstrap", "-e", "iam_admin_adopt=true", "-e", "proton_roles_adopt=true", "--limit", not_codebuild)
    assert adopt.rc == 0, adopt.output[-3000:]
    adoptable = [account for kind, account in foreign.items() if kind != "codebuild_role"]
    assert {kind: bootstrapped(account, kind) for kind, account in foreign.items() if kind != "codebuild_role"} == {
        kind: [] for kind in foreign if kind != "codebuild_role"}
    writes = sum(len(account.write_calls()) for account in (*adoptable, clean))
    rerun = playbook("bootstrap", "--limit", not_codebuild)  # adopted is ours: no adopt needed any more
    assert rerun.rc == 0, rerun.output[-3000:]
    assert sum(len(account.write_calls()) for account in (*adoptable, clean)) == writes
    records = report(tmp_path, "bootstrap")
    assert {records[account.account_id]["status"] for account in adoptable} == {"unchanged"}
