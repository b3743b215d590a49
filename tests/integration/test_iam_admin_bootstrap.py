"""protonkit.accounts.iam_admin_bootstrap through ansible-playbook, against the local AWS."""

import json
import os
import stat

import pytest

KNOWN_PASSWORD = "Test-Passw0rd!-never-shown-7f3a"
SECRET = "protonkit/Administrator/console-password"
ADMIN_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"
OWNED = {"protonkit:managed-by": "protonkit.accounts"}  # the ownership tag on everything the module creates


def secret_document(account, name=SECRET):
    return json.loads(account.client("secretsmanager").get_secret_value(SecretId=name)["SecretString"])


def test_creates_group_user_membership_and_console_access(ansible_module, aws_account):
    run = ansible_module("iam_admin_bootstrap", {"password_secret": SECRET, "tags": {"owner": "platform"}},
                         aws_account.env)
    result = run.result
    assert run.rc == 0, run.output
    assert result["changed"] and result["created"] and result["password_changed"]
    assert result["account_id"] == aws_account.account_id
    assert result["signin_url"] == f"https://{aws_account.account_id}.signin.aws.amazon.com/console"

    iam = aws_account.client("iam")
    group = iam.get_group(GroupName="Administrators")
    assert [u["UserName"] for u in group["Users"]] == ["Administrator"]
    attached = iam.list_attached_group_policies(GroupName="Administrators")["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [ADMIN_ACCESS]
    tags = iam.get_user(UserName="Administrator")["User"]["Tags"]
    assert {tag["Key"]: tag["Value"] for tag in tags} == {"owner": "platform", **OWNED}
    assert result["user"]["tags"] == {"owner": "platform", **OWNED}
    assert iam.get_login_profile(UserName="Administrator")["LoginProfile"]["PasswordResetRequired"] is True

    # The generated password went to the secret only, and it satisfies the default (strong) policy.
    document = secret_document(aws_account)
    assert document["user_name"] == "Administrator"
    assert document["account_id"] == aws_account.account_id
    assert document["signin_url"] == result["signin_url"]
    assert len(document["password"]) >= 32
    assert result["password_secret_arn"].startswith(f"arn:aws:secretsmanager:us-east-1:{aws_account.account_id}:")
    assert document["password"] not in run.output


def test_rerun_changes_nothing_and_writes_nothing(ansible_module, aws_account):
    args = {"password_secret": SECRET, "tags": {"owner": "platform"}}
    assert ansible_module("iam_admin_bootstrap", args, aws_account.env).result["changed"]
    writes_before = len(aws_account.write_calls())
    calls_before = len(aws_account.calls())
    rerun = ansible_module("iam_admin_bootstrap", args, aws_account.env)
    assert rerun.result["changed"] is False
    assert rerun.result["password_changed"] is False
    assert aws_account.write_calls()[writes_before:] == []
    # Minimal reads: users and groups with members and policies in one call, then only what it lacks (the login
    # profile) and who we are; no password policy, no secret access.
    reads = sorted(c["action"] for c in aws_account.calls()[calls_before:])
    assert reads == ["GetAccountAuthorizationDetails", "GetCallerIdentity", "GetLoginProfile"]


def test_large_account_is_read_entity_by_entity(ansible_module, aws_account):
    # More users and groups than one GetAccountAuthorizationDetails page holds (100): the module reads its own
    # group and user directly instead of paging through all of them, and still gets every decision right.
    iam = aws_account.client("iam")
    for index in range(60):
        iam.create_group(GroupName=f"team-{index:02}")
        iam.create_user(UserName=f"person-{index:02}")
    iam.create_group(GroupName="Administrators")
    iam.create_user(UserName="Colleague")
    iam.add_user_to_group(GroupName="Administrators", UserName="Colleague")
    # A group with someone else in it is not ours: taken over (the colleague becomes an administrator) only knowingly.
    args = {"password_secret": SECRET, "tags": {"owner": "platform"}, "adopt": True}
    first = ansible_module("iam_admin_bootstrap", args, aws_account.env)
    assert first.rc == 0, first.output
    assert first.result["changed"] and first.result["created"]
    group = iam.get_group(GroupName="Administrators")
    assert sorted(user["UserName"] for user in group["Users"]) == ["Administrator", "Colleague"]
    assert [p["PolicyArn"] for p in iam.list_attached_group_policies(GroupName="Administrators")["AttachedPolicies"]
            ] == ["arn:aws:iam::aws:policy/AdministratorAccess"]

    writes_before, calls_before = len(aws_account.write_calls()), len(aws_account.calls())
    rerun = ansible_module("iam_admin_bootstrap", args, aws_account.env)
    assert rerun.result["changed"] is False
    assert aws_account.write_calls()[writes_before:] == []
    reads = sorted(c["action"] for c in aws_account.calls()[calls_before:])
    assert reads == ["GetAccountAuthorizationDetails", "GetCallerIdentity", "GetGroup", "GetLoginProfile", "GetUser",
                     "ListAttachedGroupPolicies"]
    assert rerun.result["group"] == first.result["group"] and rerun.result["user"] == first.result["user"]

    # absent keeps the group: the colleague is still in it (a member list read entity by entity too); it loses the
    # policy we attached, so the colleague is no administrator through it any more.
    removed = ansible_module("iam_admin_bootstrap", {"password_secret": SECRET, "state": "absent"}, aws_account.env)
    assert removed.result["changed"] and "Colleague" in removed.result["group"]["kept_reason"]
    assert [user["UserName"] for user in iam.get_group(GroupName="Administrators")["Users"]] == ["Colleague"]
    assert iam.list_attached_group_policies(GroupName="Administrators")["AttachedPolicies"] == []
    assert [(item["kind"], item["name"]) for item in removed.result["kept"]] == [("group", "Administrators")]


@pytest.mark.parametrize("prepare", ["empty", "partial"])
def test_check_mode_predicts_the_real_run_and_writes_nothing(ansible_module, aws_account, prepare):
    args = {"password_secret": SECRET, "tags": {"owner": "platform", "env": "prod"}}
    if prepare == "partial":
        iam = aws_account.client("iam")
        iam.create_group(GroupName="Administrators")
        # Someone else's user (not tagged as ours): taken over knowingly.
        iam.create_user(UserName="Administrator", Tags=[{"Key": "owner", "Value": "someone-else"}])
        args["adopt"] = True
    writes_before = len(aws_account.write_calls())
    check = ansible_module("iam_admin_bootstrap", args, aws_account.env, check=True, diff=True)
    assert check.rc == 0, check.output
    assert aws_account.write_calls()[writes_before:] == []
    real = ansible_module("iam_admin_bootstrap", args, aws_account.env, diff=True)
    for key in ("changed", "created", "login_profile", "password_changed"):
        assert check.result[key] == real.result[key], key
    assert check.result["diff"] == real.result["diff"]
    for view in ("group", "user"):
        predicted = {k: v for k, v in check.result[view].items() if k != "id"}
        actual = {k: v for k, v in real.result[view].items() if k != "id"}
        assert predicted == actual


def test_check_mode_on_a_bootstrapped_account_predicts_changes(ansible_module, aws_account):
    iam = aws_account.client("iam")
    extra = iam.create_policy(PolicyName="Extra", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}]}
    ))["Policy"]["Arn"]
    ansible_module("iam_admin_bootstrap", {"password": KNOWN_PASSWORD, "tags": {"owner": "a", "keep": "x"},
                                           "group_policy_arns": [ADMIN_ACCESS, extra]}, aws_account.env)
    changes = {"tags": {"owner": "b"}, "console_access": False, "group_policy_arns": [ADMIN_ACCESS],
               "purge_policies": True}
    writes_before = len(aws_account.write_calls())
    check = ansible_module("iam_admin_bootstrap", changes, aws_account.env, check=True, diff=True)
    assert check.rc == 0, check.output
    assert aws_account.write_calls()[writes_before:] == []
    real = ansible_module("iam_admin_bootstrap", changes, aws_account.env, diff=True)
    assert real.result["changed"] and check.result["changed"]
    for key in ("group", "user", "login_profile", "password_changed", "diff"):
        assert check.result[key] == real.result[key], key
    assert real.result["group"]["attached_policies"] == [ADMIN_ACCESS]
    assert real.result["user"]["tags"] == {"owner": "b", **OWNED}
    assert real.result["login_profile"]["exists"] is False


def test_check_mode_absent_predicts_and_writes_nothing(ansible_module, aws_account):
    ansible_module("iam_admin_bootstrap", {"password": KNOWN_PASSWORD}, aws_account.env)
    writes_before = len(aws_account.write_calls())
    check = ansible_module("iam_admin_bootstrap", {"state": "absent"}, aws_account.env, check=True, diff=True)
    assert aws_account.write_calls()[writes_before:] == []
    real = ansible_module("iam_admin_bootstrap", {"state": "absent"}, aws_account.env, diff=True)
    assert check.result["changed"] and real.result["changed"]
    assert check.result["diff"] == real.result["diff"]
    assert real.result["diff"]["after"] == {"group": {}, "user": {}, "login_profile": {
        "exists": False, "password_reset_required": False}}


def test_purge_policies_detaches_other_group_policies(ansible_module, aws_account):
    iam = aws_account.client("iam")
    iam.create_group(GroupName="Administrators")
    iam.attach_group_policy(GroupName="Administrators", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    # A group with a policy we don't attach is someone else's: taken over knowingly, then it is ours.
    kept = ansible_module("iam_admin_bootstrap", {"password": KNOWN_PASSWORD, "adopt": True}, aws_account.env)
    assert kept.result["group"]["attached_policies"] == [ADMIN_ACCESS, "arn:aws:iam::aws:policy/ReadOnlyAccess"]
    purged = ansible_module("iam_admin_bootstrap", {"purge_policies": True}, aws_account.env)
    assert purged.result["changed"] and purged.result["group"]["attached_policies"] == [ADMIN_ACCESS]
    attached = iam.list_attached_group_policies(GroupName="Administrators")["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [ADMIN_ACCESS]


def test_custom_names_and_paths(ansible_module, aws_account):
    args = {"group_name": "BreakGlass", "group_path": "/admins/", "user_name": "breakglass",
            "user_path": "/admins/", "password": KNOWN_PASSWORD}
    run = ansible_module("iam_admin_bootstrap", args, aws_account.env)
    assert run.result["group"]["arn"] == f"arn:aws:iam::{aws_account.account_id}:group/admins/BreakGlass"
    assert run.result["user"]["arn"] == f"arn:aws:iam::{aws_account.account_id}:user/admins/breakglass"
    assert run.result["user"]["groups"] == ["BreakGlass"]
    moved = ansible_module("iam_admin_bootstrap", dict(args, user_path="/people/"), aws_account.env)
    assert moved.result["changed"]
    assert aws_account.client("iam").get_user(UserName="breakglass")["User"]["Path"] == "/people/"


def test_transient_iam_errors_are_retried(ansible_module, aws_account, local_aws):
    # IAM answers EntityTemporarilyUnmodifiable while a new entity settles, and throttles busy accounts.
    local_aws.add_error_rule(code="EntityTemporarilyUnmodifiable", status=409, account=aws_account.account_id,
                             service="iam", action="AddUserToGroup", count=1)
    local_aws.add_error_rule(code="Throttling", status=400, account=aws_account.account_id,
                             service="iam", action="CreateLoginProfile", count=1)
    run = ansible_module("iam_admin_bootstrap", {"password": KNOWN_PASSWORD}, aws_account.env)
    assert run.rc == 0 and run.result["changed"], run.output
    actions = [c["action"] for c in aws_account.write_calls(service="iam")]
    assert actions.count("AddUserToGroup") == 2 and actions.count("CreateLoginProfile") == 2
    assert aws_account.client("iam").get_login_profile(UserName="Administrator")["LoginProfile"]


def test_secret_encrypted_with_the_given_kms_key(ansible_module, aws_account):
    key_id = aws_account.client("kms").create_key(Description="protonkit test")["KeyMetadata"]["KeyId"]
    run = ansible_module("iam_admin_bootstrap", {"password_secret": SECRET, "password_secret_kms_key_id": key_id},
                         aws_account.env)
    assert run.rc == 0, run.output
    assert aws_account.client("secretsmanager").describe_secret(SecretId=SECRET)["KmsKeyId"] == key_id
    assert len(secret_document(aws_account)["password"]) >= 32


def test_secret_is_written_before_the_login_profile(ansible_module, aws_account):
    ansible_module("iam_admin_bootstrap", {"password_secret": SECRET}, aws_account.env)
    actions = [c["action"] for c in aws_account.write_calls()]
    assert actions.index("CreateSecret") < actions.index("CreateLoginProfile")


def test_failed_secret_write_leaves_no_console_password(ansible_module, aws_account, local_aws):
    local_aws.add_error_rule(code="AccessDeniedException", account=aws_account.account_id,
                             service="secretsmanager", action="CreateSecret")
    run = ansible_module("iam_admin_bootstrap", {"password_secret": SECRET}, aws_account.env)
    assert run.result.get("failed") and "password_secret" in run.result["msg"]
    assert "CreateLoginProfile" not in [c["action"] for c in aws_account.write_calls()]


def test_diff_shows_tag_change_and_never_the_password(ansible_module, aws_account):
    ansible_module("iam_admin_bootstrap", {"password": KNOWN_PASSWORD, "tags": {"owner": "a"}}, aws_account.env)
    run = ansible_module("iam_admin_bootstrap", {"password": KNOWN_PASSWORD, "tags": {"owner": "b"}},
                         aws_account.env, diff=True)
    assert run.result["changed"]
    assert run.result["diff"]["before"]["user"]["tags"] == {"owner": "a", **OWNED}
    assert run.result["diff"]["after"]["user"]["tags"] == {"owner": "b", **OWNED}
    assert KNOWN_PASSWORD not in run.output


def test_purge_tags_false_keeps_other_tags(ansible_module, aws_account):
    ansible_module("iam_admin_bootstrap", {"password": KNOWN_PASSWORD, "tags": {"a": "1", "b": "2"}}, aws_account.env)
    run = ansible_module("iam_admin_bootstrap", {"password": KNOWN_PASSWORD, "tags": {"c": "3"}, "purge_tags": False},
                         aws_account.env)
    assert run.result["user"]["tags"] == {"a": "1", "b": "2", "c": "3", **OWNED}
    tags = aws_account.client("iam").get_user(UserName="Administrator")["User"]["Tags"]
    assert {t["Key"]: t["Value"] for t in tags} == {"a": "1", "b": "2", "c": "3", **OWNED}


def test_update_password_always_sets_it_every_run(ansible_module, aws_account):
    args = {"password": KNOWN_PASSWORD, "update_password": "always", "password_reset_required": False}
    ansible_module("iam_admin_bootstrap", args, aws_account.env)
    writes_before = len(aws_account.write_calls())
    run = ansible_module("iam_admin_bootstrap", args, aws_account.env, verbosity=3)
    assert run.result["changed"] and run.result["password_changed"]
    assert [c["action"] for c in aws_account.write_calls()[writes_before:]] == ["UpdateLoginProfile"]
    assert KNOWN_PASSWORD not in run.output


def test_after_the_user_chose_a_password_a_rerun_never_forces_another_reset(ansible_module, aws_account):
    ansible_module("iam_admin_bootstrap", {"password": KNOWN_PASSWORD}, aws_account.env)
    # What AWS does when the user signs in and sets their own password.
    aws_account.client("iam").update_login_profile(UserName="Administrator", PasswordResetRequired=False)
    writes_before = len(aws_account.write_calls())
    run = ansible_module("iam_admin_bootstrap", {"password": KNOWN_PASSWORD}, aws_account.env)
    assert not run.result["changed"]
    assert aws_account.write_calls()[writes_before:] == []
    profile = aws_account.client("iam").get_login_profile(UserName="Administrator")["LoginProfile"]
    assert profile["PasswordResetRequired"] is False


def test_password_reset_flag_is_reconciled_without_touching_the_password(ansible_module, aws_account):
    ansible_module("iam_admin_bootstrap", {"password": KNOWN_PASSWORD}, aws_account.env)
    run = ansible_module("iam_admin_bootstrap", {"password_reset_required": False}, aws_account.env)
    assert run.result["changed"] and not run.result["password_changed"]
    profile = aws_account.client("iam").get_login_profile(UserName="Administrator")["LoginProfile"]
    assert profile["PasswordResetRequired"] is False


def test_console_access_off_removes_the_login_profile(ansible_module, aws_account):
    ansible_module("iam_admin_bootstrap", {"password": KNOWN_PASSWORD}, aws_account.env)
    run = ansible_module("iam_admin_bootstrap", {"console_access": False}, aws_account.env)
    assert run.result["changed"] and run.result["login_profile"] == {"exists": False,
                                                                     "password_reset_required": False}
    iam = aws_account.client("iam")
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_login_profile(UserName="Administrator")
    assert ansible_module("iam_admin_bootstrap", {"console_access": False}, aws_account.env).result["changed"] is False


def test_password_file_is_private(ansible_module, aws_account, tmp_path):
    target = tmp_path / "admin.json"
    run = ansible_module("iam_admin_bootstrap", {"password_file": str(target)}, aws_account.env, verbosity=3,
                         diff=True)
    assert run.result["password_file"] == str(target)
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert json.loads(target.read_text())["password"] not in run.output


def test_generated_password_meets_the_account_policy(ansible_module, aws_account):
    aws_account.client("iam").update_account_password_policy(
        MinimumPasswordLength=40, RequireSymbols=True, RequireNumbers=True, RequireUppercaseCharacters=True,
        RequireLowercaseCharacters=True)
    ansible_module("iam_admin_bootstrap", {"password_secret": SECRET}, aws_account.env)
    password = secret_document(aws_account)["password"]
    assert len(password) >= 40
    assert any(c.isupper() for c in password) and any(c.islower() for c in password)
    assert any(c.isdigit() for c in password) and any(not c.isalnum() for c in password)


def test_state_absent_removes_user_and_group(ansible_module, aws_account):
    ansible_module("iam_admin_bootstrap", {"password_secret": SECRET}, aws_account.env)
    run = ansible_module("iam_admin_bootstrap", {"state": "absent", "password_secret": SECRET}, aws_account.env)
    assert run.rc == 0 and run.result["changed"]
    iam = aws_account.client("iam")
    assert iam.list_users()["Users"] == [] and iam.list_groups()["Groups"] == []
    assert "DeletedDate" in aws_account.client("secretsmanager").describe_secret(SecretId=SECRET)
    again = ansible_module("iam_admin_bootstrap", {"state": "absent", "password_secret": SECRET}, aws_account.env)
    assert again.result["changed"] is False
    # Bootstrapping again brings the secret scheduled for deletion back with the new password.
    back = ansible_module("iam_admin_bootstrap", {"password_secret": SECRET}, aws_account.env)
    assert back.rc == 0 and back.result["password_changed"], back.output
    assert "DeletedDate" not in aws_account.client("secretsmanager").describe_secret(SecretId=SECRET)
    assert len(secret_document(aws_account)["password"]) >= 32


def test_state_absent_deletes_everything_iam_requires_gone_before_the_user(ansible_module, aws_account):
    # The local AWS refuses DeleteUser (DeleteConflict) while any of these is left, as AWS does.
    ansible_module("iam_admin_bootstrap", {"password": KNOWN_PASSWORD}, aws_account.env)
    iam = aws_account.client("iam")
    iam.create_access_key(UserName="Administrator")
    iam.upload_ssh_public_key(UserName="Administrator", SSHPublicKeyBody="ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ== x")
    iam.create_service_specific_credential(UserName="Administrator", ServiceName="codecommit.amazonaws.com")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="Administrator")["VirtualMFADevice"]["SerialNumber"]
    iam.enable_mfa_device(UserName="Administrator", SerialNumber=device, AuthenticationCode1="123456",
                          AuthenticationCode2="654321")
    iam.put_user_policy(UserName="Administrator", PolicyName="extra", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}))
    iam.attach_user_policy(UserName="Administrator", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    writes_before = len(aws_account.write_calls())
    check = ansible_module("iam_admin_bootstrap", {"state": "absent"}, aws_account.env, check=True)
    assert aws_account.write_calls()[writes_before:] == []
    run = ansible_module("iam_admin_bootstrap", {"state": "absent"}, aws_account.env)
    assert run.rc == 0 and run.result["changed"], run.output
    assert check.result["removed"] == run.result["removed"] == [
        {"kind": "user", "name": "Administrator"}, {"kind": "group", "name": "Administrators"}]
    assert iam.list_users()["Users"] == [] and iam.list_groups()["Groups"] == []
    # The virtual MFA device was the user's alone: deleted with it, not left unassigned.
    assert iam.list_virtual_mfa_devices()["VirtualMFADevices"] == []


def test_state_absent_keeps_a_group_with_other_members_unless_forced(ansible_module, aws_account):
    ansible_module("iam_admin_bootstrap", {"password": KNOWN_PASSWORD}, aws_account.env)
    iam = aws_account.client("iam")
    iam.create_user(UserName="alice")
    iam.add_user_to_group(GroupName="Administrators", UserName="alice")
    # Forced, our group goes, whoever is in it (predicted here).
    forced = ansible_module("iam_admin_bootstrap", {"state": "absent", "force": True}, aws_account.env, check=True,
                            diff=True)
    assert forced.result["changed"] and forced.result["diff"]["after"]["group"] == {}
    run = ansible_module("iam_admin_bootstrap", {"state": "absent"}, aws_account.env)
    assert "alice" in run.result["group"]["kept_reason"]
    assert [g["GroupName"] for g in iam.list_groups()["Groups"]] == ["Administrators"]
    # Kept, it no longer makes anyone an administrator.
    assert iam.list_attached_group_policies(GroupName="Administrators")["AttachedPolicies"] == []
    assert [u["UserName"] for u in iam.get_group(GroupName="Administrators")["Users"]] == ["alice"]
    # Without our user in it the group is no longer recognisably ours: force alone keeps it, with adopt it goes.
    forced = ansible_module("iam_admin_bootstrap", {"state": "absent", "force": True}, aws_account.env)
    assert not forced.result["changed"] and "alice" in forced.result["kept"][0]["reason"]
    adopted = ansible_module("iam_admin_bootstrap", {"state": "absent", "force": True, "adopt": True},
                             aws_account.env)
    assert adopted.result["changed"] and iam.list_groups()["Groups"] == []


BAD_INPUTS = [
    ({"user_name": "bad name!"}, "user_name"),
    ({"group_name": "x" * 129}, "group_name"),
    ({"user_path": "no-slashes"}, "user_path"),
    ({"group_path": "/a b/"}, "group_path"),
    # Python's \w takes these for word characters; IAM does not (it would refuse CreateUser mid-run).
    ({"user_name": "Ädministrator"}, "user_name: IAM user names allow only ASCII"),
    ({"group_name": "Administratörs"}, "group_name: IAM group names allow only ASCII"),
    ({"user_path": "/équipe/"}, "user_path: user path allows only ASCII"),
    # 50 of the user's own are one too many: the module adds its ownership tag.
    ({"tags": {f"key{index}": "v" for index in range(50)}}, "tags: 51 tags with the protonkit:managed-by tag"),
    ({"tags": {"k" * 129: "v"}}, "tags: tag"),
    ({"tags": {"owner": "v" * 257}}, "tags: tag 'owner': values are at most 256"),
    ({"tags": {"AWS:owner": "me"}}, "reserved"),
    ({"tags": {"owner": "platform; ops"}}, "tags: tag 'owner': IAM tags allow only"),
    ({"group_policy_arns": ["AdministratorAccess"]}, "group_policy_arns"),
    ({"group_policy_arns": ["arn:aws:iam::aws:policy/NoSuchPolicyAnywhere"]}, "no such managed policy"),
    ({"group_policy_arns": ["arn:aws-cn:iam::aws:policy/AdministratorAccess"]}, "partition"),
    ({"update_password": "always"}, "update_password"),
    ({}, "password_secret"),  # a password must be generated and has nowhere to go
    ({"password": "short"}, "password policy"),
    ({"password_file": "/nonexistent-protonkit-dir/admin.json"}, "password_file"),
]


def test_password_breaking_iam_default_rule_fails_before_any_write(ansible_module, aws_account):
    # No custom policy: IAM still wants 8 characters of three classes; catch it before creating anything.
    writes_before = len(aws_account.write_calls())
    run = ansible_module("iam_admin_bootstrap", {"password": "alllowercaseletters"}, aws_account.env)
    assert run.result.get("failed") and run.result["msg"].startswith("password:")
    assert "alllowercaseletters" not in run.output
    assert aws_account.write_calls()[writes_before:] == []


def test_bad_input_fails_clearly_before_any_write(ansible_module_tasks, aws_account):
    aws_account.client("iam").update_account_password_policy(MinimumPasswordLength=14, RequireSymbols=True)
    writes_before = len(aws_account.write_calls())
    # One task per bad input, all in one ansible-playbook run.
    run = ansible_module_tasks("iam_admin_bootstrap", [args for args, _fragment in BAD_INPUTS], aws_account.env)
    assert len(run.tasks) == len(BAD_INPUTS), run.output[-3000:]
    for (args, fragment), result in zip(BAD_INPUTS, run.tasks):
        assert result.get("failed"), (args, result)
        assert fragment in result["msg"], (args, result["msg"])
    assert "Traceback" not in run.output
    assert aws_account.write_calls()[writes_before:] == []


def test_password_never_appears_at_high_verbosity(ansible_module, aws_account):
    run = ansible_module("iam_admin_bootstrap", {"password": KNOWN_PASSWORD, "update_password": "always"},
                         aws_account.env, verbosity=4, diff=True)
    assert run.rc == 0
    assert KNOWN_PASSWORD not in run.output
    default_callback = ansible_module("iam_admin_bootstrap", {"password": KNOWN_PASSWORD, "update_password": "always"},
                                      aws_account.env, verbosity=4, diff=True, callback="ansible.builtin.default")
    assert default_callback.rc == 0
    assert KNOWN_PASSWORD not in default_callback.output
