"""The runner's IAM policies in docs/policies/ are enough, and every action in them is needed.

The local AWS checks every call against the caller's IAM policies (``enforce_iam_policies``): a management-account
IAM user holding exactly docs/policies/runner-management-account.json assumes, in each member account, a role
holding exactly docs/policies/runner-member-account-bootstrap.json (or -teardown.json), and runs the playbooks.

moto evaluates a statement's ``Resource`` only where it knows the request's resource: the role ARN of
``sts:AssumeRole``, of ``iam:PassRole`` (our Proton backend) and of IAM calls naming an existing role. For every
other call it evaluates against the placeholder ``*``, which a scoped pattern never matches. ``for_moto`` therefore
gives each scoped statement one more pattern, ``MOTO_UNKNOWN_RESOURCE``: moto turns it into the anchored regex
``^[.*]$|arn:...$``, which matches that placeholder and no real ARN (and its policy validator accepts it as an ARN).
So the actions are proven exactly, and the resource scopes wherever moto can check them (the role patterns).
"""

import copy
import datetime
import json
import secrets

import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from integration.ansible_runs import PROTON, REPO, run_playbook
from local_accounts import Account
from localaws.sample_org import Organization

POLICIES = REPO / "docs" / "policies"
MANAGEMENT = "runner-management-account.json"
BOOTSTRAP = "runner-member-account-bootstrap.json"
TEARDOWN = "runner-member-account-teardown.json"
MEMBER_ROLE = "OrganizationAccountAccessRole"  # the role name the documented management policy allows
MOTO_UNKNOWN_RESOURCE = "[*]$|arn:aws:iam::000000000000:role/resource-unknown-to-moto"
# Needs no permission in AWS (and the local AWS never checks it), so the policies leave it out.
UNCHECKED = {"sts:GetCallerIdentity"}
# In the teardown policy but not exercised here: AWS authorizes it on the instance profile, moto on the role, so
# one statement can't be right for both. Covered by reading plugins/module_utils/iam.py (delete_role).
NOT_EXERCISED = {"iam:RemoveRoleFromInstanceProfile"}
ADMIN_TASK = "Administrators group and Administrator user"
PROTON_TASK = "Proton service roles and account settings"
ASSUME_TASK = "Assume the bootstrap role in the account"


# --- the documented policies ---------------------------------------------------------------------------------------
def load_policy(name):
    return json.loads((POLICIES / name).read_text())


def _as_list(value):
    return value if isinstance(value, list) else [value]


def actions_of(policy):
    return {action for statement in policy["Statement"] for action in _as_list(statement["Action"])}


def for_moto(policy):
    """The same policy, each scoped Resource also matching moto's "resource unknown" placeholder (module doc)."""
    adapted = copy.deepcopy(policy)
    for statement in adapted["Statement"]:
        resources = _as_list(statement["Resource"])
        if "*" not in resources:
            statement["Resource"] = resources + [MOTO_UNKNOWN_RESOURCE]
    return adapted


def without(policy, action):
    """``policy`` with ``action`` removed (its statement dropped when nothing is left in it)."""
    assert action in actions_of(policy), f"{action} is not in the documented policy"
    reduced = copy.deepcopy(policy)
    for statement in reduced["Statement"]:
        statement["Action"] = [item for item in _as_list(statement["Action"]) if item != action]
    reduced["Statement"] = [statement for statement in reduced["Statement"] if statement["Action"]]
    return reduced


def served_actions(calls, passed_role=False):
    """``service:Action`` of every call the local AWS authorized (404 included: a read of something absent), and
    ``iam:PassRole`` when ``passed_role`` (checked inside UpdateAccountSettings when it sets a role, not a call)."""
    actions = {f"{call['service']}:{call['action']}" for call in calls if call["status"] != 403}
    if passed_role:
        actions.add("iam:PassRole")
    return actions - UNCHECKED


def denied(calls):
    return [f"{call['account']} {call['service']}:{call['action']}" for call in calls if call["status"] == 403]


# --- identities ----------------------------------------------------------------------------------------------------
def runner_user(local_aws, management, policy, tmp_path):
    """An IAM user of the management account holding ``policy``; returns (its ARN, the environment to run as it)."""
    iam = management.client("iam")
    user = iam.create_user(UserName="protonkit-runner")["User"]
    iam.put_user_policy(UserName="protonkit-runner", PolicyName="runner", PolicyDocument=json.dumps(for_moto(policy)))
    key = iam.create_access_key(UserName="protonkit-runner")["AccessKey"]
    env = {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"],
           "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": local_aws.url,
           "PWD": str(tmp_path)}
    return user["Arn"], env


def runner_role(account, trusted_arn, policy, name=MEMBER_ROLE):
    """The role the runner assumes in ``account``, trusting ``trusted_arn``, holding ``policy``; returns its ARN."""
    iam = account.client("iam")
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": trusted_arn}, "Action": "sts:AssumeRole"}]}
    try:
        arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    except iam.exceptions.EntityAlreadyExistsException:
        arn = iam.get_role(RoleName=name)["Role"]["Arn"]
    iam.put_role_policy(RoleName=name, PolicyName="runner", PolicyDocument=json.dumps(for_moto(policy)))
    return arn


def new_organization(local_aws, management, count):
    """An organization managed by ``management`` with ``count`` new member accounts, each entered like the
    ``aws_account`` fixture's (local_accounts.Account)."""
    organization = Organization(management.client("organizations"))
    return [Account(local_aws, organization.member(f"member {index}", tags={"team": "platform"},
                                                   email=f"member{index}@example.com"))
            for index in range(count)]


def one_account_short_of(local_aws, aws_account_factory, tmp_path, action):
    """A member account whose runner role holds the documented bootstrap policy without ``action``; returns the
    account, the runner's environment and a static inventory of it."""
    management, account = aws_account_factory(2)
    user_arn, env = runner_user(local_aws, management, load_policy(MANAGEMENT), tmp_path)
    role_arn = runner_role(account, user_arn, without(load_policy(BOOTSTRAP), action))
    inventory = tmp_path / "accounts.yml"
    inventory.write_text(yaml.safe_dump({"all": {"hosts": {account.account_id: {
        "aws_account_id": account.account_id, "aws_assume_role_arn": role_arn}}}}))
    return account, env, inventory


def enforcement_off(local_aws):
    local_aws.enforce_iam_policies(after_actions=float("inf"))


def report(tmp_path, operation):
    records = json.loads((tmp_path / f"protonkit-{operation}-report.json").read_text())["accounts"]
    return {record["account_id"]: record for record in records}


# --- existing state that makes a run take its other paths -------------------------------------------------------------
def seed_drift_without_console_access(account):
    """Group and user at another path, not members; no login profile; the password secret scheduled for deletion;
    the Proton service role with another trust policy and description, a stray inline and managed policy."""
    iam = account.client("iam")
    iam.create_group(GroupName="Administrators", Path="/old/")
    iam.create_user(UserName="Administrator", Path="/old/")
    manager = account.client("secretsmanager")
    # As a version from before the ownership tag left it: untagged, with the description the module gives its secrets.
    manager.create_secret(Name="protonkit/Administrator/console-password", SecretString="{}",
                          Description="Console password of IAM user Administrator (protonkit.accounts)")
    manager.delete_secret(SecretId="protonkit/Administrator/console-password", RecoveryWindowInDays=7)
    other_trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    iam.create_role(RoleName="AWSProtonServiceRole", Path="/service-role/", Description="old",
                    AssumeRolePolicyDocument=json.dumps(other_trust))
    iam.put_role_policy(RoleName="AWSProtonServiceRole", PolicyName="stray", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}))
    iam.attach_role_policy(RoleName="AWSProtonServiceRole", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")


def seed_console_access_without_reset(account):
    """The user has a console password and no longer has to reset it (what signing in once does)."""
    iam = account.client("iam")
    iam.create_user(UserName="Administrator")
    iam.create_login_profile(UserName="Administrator", Password=secrets.token_urlsafe(24) + "Aa1!",
                             PasswordResetRequired=False)


def seed_pipeline_role_made_by_hand(account):
    """The pipeline role as someone made it in the console, trusting Proton without the confused-deputy condition."""
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "proton.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    account.client("iam").create_role(RoleName="AWSProtonPipelineServiceRole", Path="/service-role/",
                                      AssumeRolePolicyDocument=json.dumps(trust))


def signing_certificate():
    """A self-signed certificate (IAM checks that a signing certificate is one)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Administrator")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now)
                   .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


def seed_leftovers(account):
    """What teardown must clear before it can delete the user and the group."""
    iam = account.client("iam")
    iam.create_access_key(UserName="Administrator")
    iam.upload_signing_certificate(UserName="Administrator", CertificateBody=signing_certificate())
    iam.put_user_policy(UserName="Administrator", PolicyName="extra", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}))
    iam.attach_user_policy(UserName="Administrator", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    iam.put_group_policy(GroupName="Administrators", PolicyName="extra", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}))
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="Administrator")["VirtualMFADevice"]
    iam.enable_mfa_device(UserName="Administrator", SerialNumber=device["SerialNumber"],
                          AuthenticationCode1="123456", AuthenticationCode2="654321")
    iam.upload_ssh_public_key(UserName="Administrator", SSHPublicKeyBody="ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ== x")
    iam.create_service_specific_credential(UserName="Administrator", ServiceName="codecommit.amazonaws.com")
    iam.attach_role_policy(RoleName="AWSProtonPipelineServiceRole",
                           PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")


def seed_many_entities(account):
    """More users and groups, and more roles, than one GetAccountAuthorizationDetails page holds: both modules
    then read their own entities one by one (the actions the documented policies keep for that case)."""
    iam = account.client("iam")
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    for index in range(51):
        iam.create_user(UserName=f"person-{index:02}")
        iam.create_group(GroupName=f"team-{index:02}")
    for index in range(101):
        iam.create_role(RoleName=f"workload-{index:03}", AssumeRolePolicyDocument=trust)


# --- tests ------------------------------------------------------------------------------------------------------------
def test_documented_policies_bootstrap_then_tear_down_with_nothing_denied_and_nothing_unused(
        local_aws, aws_account_factory, tmp_path):
    management_policy = load_policy(MANAGEMENT)
    bootstrap_policy, teardown_policy = load_policy(BOOTSTRAP), load_policy(TEARDOWN)
    management = aws_account_factory()
    fresh, drifted, signed_in = members = new_organization(local_aws, management, 3)
    user_arn, env = runner_user(local_aws, management, management_policy, tmp_path)
    for member in members:
        runner_role(member, user_arn, bootstrap_policy)
    seed_drift_without_console_access(drifted)
    seed_console_access_without_reset(signed_in)
    seed_pipeline_role_made_by_hand(signed_in)
    # The drifted account is also a large one: it takes the entity-by-entity reads (the other two, the single
    # account-wide one), and its drift is still found and repaired.
    seed_many_entities(drifted)
    inventory = tmp_path / "accounts.aws_org.yml"
    inventory.write_text(yaml.safe_dump({"plugin": "protonkit.accounts.organization", "hostname_source": "id",
                                         "include_tags": True}))

    local_aws.clear_calls()
    local_aws.enforce_iam_policies(after_actions=0)
    # The seeded users and roles were made by hand, not by the collection: taken over knowingly (which tags them).
    bootstrap = run_playbook(REPO / "playbooks" / "bootstrap.yml", env, callback="ansible.builtin.default",
                             inventory=inventory, cwd=tmp_path,
                             extra_args=PROTON + ["-e", "iam_admin_adopt=true", "-e", "proton_roles_adopt=true"])
    calls = local_aws.calls()
    assert denied(calls) == [], bootstrap.output[-3000:]
    assert bootstrap.rc == 0, bootstrap.output[-3000:]
    statuses = {account_id: record["status"] for account_id, record in report(tmp_path, "bootstrap").items()}
    # Every account lacked something (the drifted ones: the pipeline role, the group), hence "created" for all.
    assert statuses == {member.account_id: "created" for member in members}
    # Exactly what was documented was used: nothing missing (no denial above), nothing superfluous.
    documented = actions_of(management_policy) | actions_of(bootstrap_policy)
    assert served_actions(calls, passed_role=True) == documented

    enforcement_off(local_aws)
    for member in members:
        runner_role(member, user_arn, teardown_policy)
    seed_leftovers(drifted)
    local_aws.clear_calls()
    local_aws.enforce_iam_policies(after_actions=0)
    teardown = run_playbook(REPO / "playbooks" / "teardown.yml", env, callback="ansible.builtin.default",
                            inventory=inventory, cwd=tmp_path, extra_args=["-e", "protonkit_remove_admin=true"])
    calls = local_aws.calls()
    assert denied(calls) == [], teardown.output[-3000:]
    assert teardown.rc == 0, teardown.output[-3000:]
    assert {record["status"] for record in report(tmp_path, "teardown").values()} == {"removed"}
    assert served_actions(calls) == actions_of(management_policy) | actions_of(teardown_policy) - NOT_EXERCISED

    enforcement_off(local_aws)
    for member in (fresh, signed_in):
        iam = member.client("iam")
        assert [role["RoleName"] for role in iam.list_roles()["Roles"]] == [MEMBER_ROLE]
        assert iam.list_users()["Users"] == [] and iam.list_groups()["Groups"] == []
    iam = drifted.client("iam")
    assert not [role for role in iam.list_roles(MaxItems=1000)["Roles"] if role["RoleName"].startswith("AWSProton")]
    assert len(iam.list_roles(MaxItems=1000)["Roles"]) == 102  # the 101 seeded and ours
    assert "Administrators" not in {group["GroupName"] for group in iam.list_groups(MaxItems=1000)["Groups"]}


@pytest.mark.parametrize("action, denied_per_run", [
    # each module's one account-wide read, on both runs (the Proton module's twice: its check before the IAM half)
    ("iam:GetAccountAuthorizationDetails", ([3, 3])),
    # only asked once the Proton roles exist: on the rerun (by the check and by the run)
    ("iam:ListRoles", ([0, 2])),
])
def test_without_an_account_wide_read_each_entity_is_read_on_its_own(
        local_aws, aws_account_factory, tmp_path, action, denied_per_run):
    # A runner policy without the account-wide reads (as some security rules demand) still bootstraps and reruns
    # without a change: the denied reads are the only denials, and the state is the same.
    account, env, inventory = one_account_short_of(local_aws, aws_account_factory, tmp_path, action)

    local_aws.clear_calls()
    local_aws.enforce_iam_policies(after_actions=0)
    for run_number, denials in enumerate(denied_per_run):
        run = run_playbook(REPO / "playbooks" / "bootstrap.yml", env, callback="ansible.builtin.default",
                           inventory=inventory, cwd=tmp_path, extra_args=PROTON)
        assert run.rc == 0, run.output[-3000:]
        calls = local_aws.calls()
        assert denied(calls) == [f"{account.account_id} {action}"] * denials, run_number
        local_aws.clear_calls()
    enforcement_off(local_aws)
    assert report(tmp_path, "bootstrap")[account.account_id]["status"] == "unchanged"
    iam = account.client("iam")
    assert [user["UserName"] for user in iam.get_group(GroupName="Administrators")["Users"]] == ["Administrator"]
    assert {role["RoleName"] for role in iam.list_roles()["Roles"]} == {
        MEMBER_ROLE, "AWSProtonServiceRole", "AWSProtonPipelineServiceRole"}


def test_one_permission_short_fails_at_its_task_naming_the_denied_action(local_aws, aws_account_factory, tmp_path):
    management_policy, bootstrap_policy = load_policy(MANAGEMENT), load_policy(BOOTSTRAP)
    management, no_login, no_settings, no_pass, other_role = aws_account_factory(5)
    user_arn, env = runner_user(local_aws, management, management_policy, tmp_path)
    role_arns = {
        no_login.account_id: runner_role(no_login, user_arn, without(bootstrap_policy, "iam:CreateLoginProfile")),
        no_settings.account_id: runner_role(no_settings, user_arn,
                                            without(bootstrap_policy, "proton:UpdateAccountSettings")),
        no_pass.account_id: runner_role(no_pass, user_arn, without(bootstrap_policy, "iam:PassRole")),
        # The full policy, but in a role the management policy does not let the runner assume.
        other_role.account_id: runner_role(other_role, user_arn, bootstrap_policy, name="ProtonKitBootstrap"),
    }
    inventory = tmp_path / "accounts.yml"
    inventory.write_text(yaml.safe_dump({"all": {"hosts": {
        account_id: {"aws_account_id": account_id, "aws_assume_role_arn": arn} for account_id, arn in role_arns.items()
    }}}))

    local_aws.clear_calls()
    local_aws.enforce_iam_policies(after_actions=0)
    run = run_playbook(REPO / "playbooks" / "bootstrap.yml", env, callback="ansible.builtin.default",
                       inventory=inventory, cwd=tmp_path, extra_args=PROTON)
    assert run.rc == 2, run.output[-3000:]
    # Each account is denied its one missing permission, and nothing else anywhere.
    assert sorted(denied(local_aws.calls())) == sorted([
        f"{no_login.account_id} iam:CreateLoginProfile",
        f"{no_settings.account_id} proton:UpdateAccountSettings",
        f"{no_pass.account_id} proton:UpdateAccountSettings",
        f"{management.account_id} sts:AssumeRole",
    ])
    records = report(tmp_path, "bootstrap")
    expected = {
        no_login.account_id: (ADMIN_TASK, "AccessDenied", "iam:CreateLoginProfile"),
        # The code (and a clear message) is test_denied_proton_update_is_reported_as_access_denied's business.
        no_settings.account_id: (PROTON_TASK, None, "proton:UpdateAccountSettings"),
        no_pass.account_id: (PROTON_TASK, "AccessDeniedException", "iam:PassRole"),
        other_role.account_id: (ASSUME_TASK, "AccessDenied", "sts:AssumeRole"),
    }
    for account_id, (task, code, action) in expected.items():
        record = records[account_id]
        assert record["status"] == "failed", record
        assert record["error"]["task"].startswith(task), record
        assert action in record["error"]["message"], record
        if code:
            assert record["error"]["code"] == code, record
            assert "not authorized to perform" in record["error"]["message"], record


def test_denied_proton_update_is_reported_as_access_denied(local_aws, aws_account_factory, tmp_path):
    account, env, inventory = one_account_short_of(local_aws, aws_account_factory, tmp_path,
                                                   "proton:UpdateAccountSettings")

    local_aws.enforce_iam_policies(after_actions=0)
    run = run_playbook(REPO / "playbooks" / "bootstrap.yml", env, callback="ansible.builtin.default",
                       inventory=inventory, cwd=tmp_path, extra_args=PROTON)
    assert run.rc == 2, run.output[-3000:]
    error = report(tmp_path, "bootstrap")[account.account_id]["error"]
    assert error["task"].startswith(PROTON_TASK)
    assert "proton:UpdateAccountSettings" in error["message"]
    assert error["code"] == "AccessDeniedException", error
    assert "end of support" not in error["message"], error


def test_the_roles_are_passed_to_proton_only():
    # The collection passes roles only in proton:UpdateAccountSettings (the pipeline role, and the CodeBuild role
    # with codebuild_role), so iam:PassRole is bound to that service. moto skips a condition on a key its request
    # context lacks, as iam:PassedToService is there: the runs above prove the statement, this its condition.
    passing = [statement for name in (BOOTSTRAP, TEARDOWN) for statement in load_policy(name)["Statement"]
               if "iam:PassRole" in _as_list(statement["Action"])]
    assert passing
    for statement in passing:
        assert statement["Condition"] == {"StringEquals": {"iam:PassedToService": "proton.amazonaws.com"}}
