"""The local AWS server: call log, error rules, moto fixes, isolation, admin API, reset, command line."""

import json
import os
import subprocess
import sys
import time
import urllib.request

import boto3
import botocore.config
import botocore.exceptions
import pytest

from local_accounts import BOOTSTRAP_CREDENTIALS, DEFAULT_ACCOUNT_ID, Account, new_account_id
from localaws.calls import is_read
from localaws.client import LocalAWSClient, LocalAWSError

NO_RETRIES = botocore.config.Config(retries={"total_max_attempts": 1})


def error_of(call, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        call(**kwargs)
    return raised.value.response


# --- call log -------------------------------------------------------------------------------------------------

def test_call_log_records_account_region_service_action_kind_and_status(aws_account):
    iam = aws_account.client("iam")
    iam.create_group(GroupName="Administrators")
    iam.get_group(GroupName="Administrators")
    aws_account.client("proton", region="eu-west-1").get_account_settings()
    aws_account.client("secretsmanager").create_secret(Name="protonkit/test", SecretString="x")
    calls = aws_account.calls()
    assert [(c["service"], c["action"], c["write"], c["region"], c["status"]) for c in calls] == [
        ("iam", "CreateGroup", True, "us-east-1", 200),
        ("iam", "GetGroup", False, "us-east-1", 200),
        ("proton", "GetAccountSettings", False, "eu-west-1", 200),
        ("secretsmanager", "CreateSecret", True, "us-east-1", 200),
    ]
    assert {c["account"] for c in calls} == {aws_account.account_id}
    assert aws_account.write_calls() == [calls[0], calls[3]]
    assert aws_account.write_calls(service="iam") == [calls[0]]


def test_the_assume_role_call_is_logged_for_the_caller_account(local_aws):
    local_aws.clear_calls()
    account = Account(local_aws, new_account_id())
    assume = local_aws.calls(service="sts", action="AssumeRole")
    assert [(c["account"], c["write"], c["status"]) for c in assume] == [(DEFAULT_ACCOUNT_ID, False, 200)]
    assert account.calls() == []


def test_failed_calls_are_logged_with_their_status(aws_account):
    error_of(aws_account.client("iam").get_user, UserName="nobody")
    assert aws_account.calls()[-1]["status"] == 404


def test_call_log_filters(aws_account, local_aws):
    aws_account.client("iam").list_users()
    aws_account.client("iam", region="eu-west-1").list_roles()
    assert [c["action"] for c in local_aws.calls(account=aws_account.account_id, region="eu-west-1")] == [
        "ListRoles"]
    assert [c["action"] for c in local_aws.calls(account=aws_account.account_id, action="ListUsers")] == [
        "ListUsers"]
    with urllib.request.urlopen(f"{local_aws.url}/_localaws/calls?account={aws_account.account_id}"
                                "&write=false&service=iam") as response:
        assert len(json.loads(response.read())["calls"]) == 2


@pytest.mark.parametrize("service, action, read", [
    ("iam", "GetGroup", True), ("iam", "ListAttachedGroupPolicies", True), ("iam", "SimulatePrincipalPolicy", True),
    ("iam", "GenerateCredentialReport", True), ("sts", "AssumeRole", True), ("sts", "AssumeRoleWithSAML", True),
    ("sts", "GetCallerIdentity", True), ("organizations", "DescribeOrganization", True),
    ("s3", "GET /bucket", True), ("s3", "HEAD /bucket", True),
    ("iam", "CreateUser", False), ("iam", "TagUser", False), ("iam", "AssumeRole", False),
    ("proton", "UpdateAccountSettings", False), ("secretsmanager", "PutSecretValue", False),
    ("sts", "DecodeAuthorizationMessage", False), ("s3", "PUT /bucket", False),
])
def test_read_write_classification(service, action, read):
    assert is_read(service, action) is read


def test_clearing_the_call_log(aws_account, local_aws):
    aws_account.client("iam").list_users()
    local_aws.clear_calls()
    assert aws_account.calls() == []


def test_admin_and_moto_api_calls_are_not_logged(local_aws):
    local_aws.clear_calls()
    local_aws.settings()
    request = urllib.request.Request(f"{local_aws.url}/moto-api/seed?a=42", method="POST")
    with urllib.request.urlopen(request) as response:
        assert response.status == 200
    assert local_aws.calls() == []


# --- error rules ----------------------------------------------------------------------------------------------

def test_error_rule_answers_in_the_query_protocol_before_the_call_takes_effect(aws_account, local_aws):
    local_aws.add_error_rule(code="AccessDenied", message="denied by test", status=403,
                             account=aws_account.account_id, service="iam", action="CreateUser", count=1)
    iam = aws_account.client("iam")
    response = error_of(iam.create_user, UserName="Administrator")
    assert response["Error"] == {"Type": "Sender", "Code": "AccessDenied", "Message": "denied by test"}
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert iam.list_users()["Users"] == []
    # count=1: the rule is used up, the retry goes through.
    iam.create_user(UserName="Administrator")
    assert [c["status"] for c in aws_account.calls() if c["action"] == "CreateUser"] == [403, 200]
    assert local_aws.error_rules() == []


def test_error_rule_answers_in_the_json_protocol(aws_account, local_aws):
    local_aws.add_error_rule(code="ThrottlingException", message="slow down", service="proton", count=2)
    proton = aws_account.client("proton", config=NO_RETRIES)
    for _attempt in range(2):
        with pytest.raises(proton.exceptions.ThrottlingException) as raised:
            proton.get_account_settings()
        assert raised.value.response["Error"]["Message"] == "slow down"
    assert proton.get_account_settings()["accountSettings"] == {}


def test_error_rule_on_assume_role_into_one_account(aws_account, local_aws):
    denied = new_account_id()
    local_aws.add_error_rule(code="AccessDenied", status=403, service="sts", action="AssumeRole",
                             message=f"not authorized to assume a role in {denied}")
    with pytest.raises(botocore.exceptions.ClientError, match="AccessDenied"):
        Account(local_aws, denied)
    local_aws.clear_error_rules()
    assert Account(local_aws, denied).client("sts").get_caller_identity()["Account"] == denied


def test_error_rule_for_one_account_leaves_others_alone(aws_account, local_aws):
    local_aws.add_error_rule(code="AccessDenied", service="sts", action="GetCallerIdentity", account="111111111111")
    assert aws_account.client("sts").get_caller_identity()["Account"] == aws_account.account_id


def test_error_rule_for_one_region_leaves_the_others_alone(aws_account, local_aws):
    local_aws.add_error_rule(code="UnknownOperationException", service="proton", region="eu-west-1")
    with pytest.raises(botocore.exceptions.ClientError, match="UnknownOperationException"):
        aws_account.client("proton", region="eu-west-1", config=NO_RETRIES).get_account_settings()
    assert aws_account.client("proton", region="us-east-1").get_account_settings()["accountSettings"] == {}


def test_server_errors_are_retried_by_botocore(aws_account, local_aws):
    local_aws.add_error_rule(code="ServiceFailure", status=500, service="organizations", count=1)
    response = error_of(aws_account.client("organizations").describe_organization)
    # The 500 was retried; the retry reached moto, which says there is no organization.
    assert response["Error"]["Code"] == "AWSOrganizationsNotInUseException"
    assert [c["status"] for c in aws_account.calls()] == [500, 400]


def test_probability_rules_are_reproducible_with_a_seed(aws_account, local_aws):
    sts = aws_account.client("sts", config=NO_RETRIES)

    def outcomes():
        local_aws.set_seed(7)
        local_aws.clear_error_rules()
        local_aws.add_error_rule(code="Throttling", service="sts", probability=0.5)
        results = []
        for _attempt in range(12):
            try:
                sts.get_caller_identity()
                results.append("ok")
            except botocore.exceptions.ClientError as error:
                results.append(error.response["Error"]["Code"])
        return results

    try:
        first = outcomes()
        assert first == outcomes()
        assert set(first) == {"ok", "Throttling"}
    finally:
        local_aws.set_seed(None)


def test_throttle_rule_answers_with_each_services_own_throttling_error(aws_account, local_aws):
    local_aws.add_error_rule(code="$throttle", account=aws_account.account_id)
    expected = {"iam": ("list_users", "Throttling"), "organizations": ("list_roots", "TooManyRequestsException"),
                "proton": ("get_account_settings", "ThrottlingException"),
                "secretsmanager": ("list_secrets", "ThrottlingException")}
    for service, (operation, code) in expected.items():
        response = error_of(getattr(aws_account.client(service, config=NO_RETRIES), operation))
        assert (response["Error"]["Code"], response["Error"]["Message"]) == (code, "Rate exceeded"), service


def test_latency_rule_slows_calls_down_and_lets_them_through(aws_account, local_aws):
    local_aws.add_error_rule(delay=0.3, service="iam", action="ListUsers", count=1)
    iam = aws_account.client("iam")
    started = time.monotonic()
    assert iam.list_users()["Users"] == []
    assert time.monotonic() - started >= 0.3
    assert local_aws.error_rules() == []
    # The call log's server time includes the injected latency (benchmarks split time with it).
    assert aws_account.calls(service="iam")[-1]["seconds"] >= 0.3


@pytest.mark.parametrize("rule, fragment", [
    ({"code": ""}, "needs a code"), ({"account": "111111111111"}, "needs a code"),
    ({"code": "X", "delay": -1}, "delay"),
    ({"code": "X", "status": 200}, "HTTP error status"),
    ({"code": "X", "count": 0}, "count"), ({"code": "X", "probability": 2}, "probability"),
    ({"code": "X", "colour": "red"}, "colour"),
])
def test_bad_error_rules_are_refused(local_aws, rule, fragment):
    with pytest.raises(LocalAWSError, match=fragment):
        local_aws._admin("POST", "error-rules", rule)
    assert local_aws.error_rules() == []


# --- moto gaps fixed in our layer -----------------------------------------------------------------------------

def test_login_profile_keeps_password_reset_required(aws_account):
    iam = aws_account.client("iam")
    iam.create_user(UserName="Administrator")
    created = iam.create_login_profile(UserName="Administrator", Password="Correct-Horse-9-Battery",
                                       PasswordResetRequired=True)
    assert created["LoginProfile"]["PasswordResetRequired"] is True
    assert iam.get_login_profile(UserName="Administrator")["LoginProfile"]["PasswordResetRequired"] is True
    # Updating only the flag keeps the console password (moto would drop it) and the profile.
    iam.update_login_profile(UserName="Administrator", PasswordResetRequired=False)
    assert iam.get_login_profile(UserName="Administrator")["LoginProfile"]["PasswordResetRequired"] is False
    # Updating only the password keeps the flag.
    iam.update_login_profile(UserName="Administrator", PasswordResetRequired=True)
    iam.update_login_profile(UserName="Administrator", Password="Another-Horse-8-Battery")
    assert iam.get_login_profile(UserName="Administrator")["LoginProfile"]["PasswordResetRequired"] is True


def test_login_profile_defaults_to_no_reset(aws_account):
    iam = aws_account.client("iam")
    iam.create_user(UserName="Operator")
    iam.create_login_profile(UserName="Operator", Password="Correct-Horse-9-Battery")
    assert iam.get_login_profile(UserName="Operator")["LoginProfile"]["PasswordResetRequired"] is False


def _refusal(iam, user_name):
    response = error_of(iam.delete_user, UserName=user_name)
    return response["Error"]["Code"], response["Error"]["Message"]


def test_delete_user_is_refused_while_anything_iam_requires_gone_is_left(aws_account):
    # AWS refuses DeleteUser with DeleteConflict until each of these is gone; moto alone deletes the user.
    iam = aws_account.client("iam", config=NO_RETRIES)
    iam.create_user(UserName="Administrator")
    iam.create_group(GroupName="Administrators")
    iam.add_user_to_group(GroupName="Administrators", UserName="Administrator")
    iam.create_login_profile(UserName="Administrator", Password="Correct-Horse-9-Battery")
    key = iam.create_access_key(UserName="Administrator")["AccessKey"]["AccessKeyId"]
    ssh = iam.upload_ssh_public_key(UserName="Administrator", SSHPublicKeyBody="ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ== x")
    credential = iam.create_service_specific_credential(UserName="Administrator",
                                                        ServiceName="codecommit.amazonaws.com")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="Administrator")["VirtualMFADevice"]["SerialNumber"]
    iam.enable_mfa_device(UserName="Administrator", SerialNumber=device, AuthenticationCode1="123456",
                          AuthenticationCode2="654321")
    removals = [
        ("login profile", lambda: iam.delete_login_profile(UserName="Administrator")),
        ("access keys", lambda: iam.delete_access_key(UserName="Administrator", AccessKeyId=key)),
        ("SSH public keys", lambda: iam.delete_ssh_public_key(
            UserName="Administrator", SSHPublicKeyId=ssh["SSHPublicKey"]["SSHPublicKeyId"])),
        ("service specific credentials", lambda: iam.delete_service_specific_credential(
            UserName="Administrator",
            ServiceSpecificCredentialId=credential["ServiceSpecificCredential"]["ServiceSpecificCredentialId"])),
        ("MFA devices", lambda: iam.deactivate_mfa_device(UserName="Administrator", SerialNumber=device)),
        ("all groups", lambda: iam.remove_user_from_group(GroupName="Administrators", UserName="Administrator")),
    ]
    for what, remove in removals:
        code, message = _refusal(iam, "Administrator")
        assert code == "DeleteConflict" and what in message, message
        remove()
    iam.delete_user(UserName="Administrator")
    assert error_of(iam.get_user, UserName="Administrator")["Error"]["Code"] == "NoSuchEntity"


def test_service_specific_credentials_are_created_listed_and_deleted(aws_account):
    iam = aws_account.client("iam", config=NO_RETRIES)
    iam.create_user(UserName="Administrator")
    created = iam.create_service_specific_credential(UserName="Administrator",
                                                     ServiceName="codecommit.amazonaws.com")["ServiceSpecificCredential"]
    assert created["ServicePassword"] and created["Status"] == "Active"
    listed = iam.list_service_specific_credentials(UserName="Administrator")["ServiceSpecificCredentials"]
    assert [c["ServiceSpecificCredentialId"] for c in listed] == [created["ServiceSpecificCredentialId"]]
    assert "ServicePassword" not in listed[0]  # AWS shows the password only once, when it is created
    assert iam.list_service_specific_credentials(UserName="Administrator",
                                                 ServiceName="cassandra.amazonaws.com")["ServiceSpecificCredentials"] == []
    iam.delete_service_specific_credential(UserName="Administrator",
                                           ServiceSpecificCredentialId=created["ServiceSpecificCredentialId"])
    assert iam.list_service_specific_credentials(UserName="Administrator")["ServiceSpecificCredentials"] == []
    assert error_of(iam.delete_service_specific_credential, UserName="Administrator",
                    ServiceSpecificCredentialId=created["ServiceSpecificCredentialId"])["Error"]["Code"] == "NoSuchEntity"
    assert error_of(iam.list_service_specific_credentials, UserName="nobody")["Error"]["Code"] == "NoSuchEntity"


def test_an_assigned_virtual_mfa_device_is_not_deleted(aws_account):
    iam = aws_account.client("iam", config=NO_RETRIES)
    iam.create_user(UserName="Administrator")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="Administrator")["VirtualMFADevice"]["SerialNumber"]
    iam.enable_mfa_device(UserName="Administrator", SerialNumber=device, AuthenticationCode1="123456",
                          AuthenticationCode2="654321")
    assert error_of(iam.delete_virtual_mfa_device, SerialNumber=device)["Error"]["Code"] == "DeleteConflict"
    iam.deactivate_mfa_device(UserName="Administrator", SerialNumber=device)
    iam.delete_virtual_mfa_device(SerialNumber=device)
    assert iam.list_virtual_mfa_devices()["VirtualMFADevices"] == []


def test_account_authorization_details_come_in_pages_as_in_aws(aws_account):
    iam = aws_account.client("iam")
    for index in range(3):
        iam.create_user(UserName=f"user{index}")
        iam.create_group(GroupName=f"group{index}")
    iam.add_user_to_group(GroupName="group0", UserName="user0")
    names = []
    pages = 0
    kwargs = {"Filter": ["User", "Group"], "MaxItems": 4}
    while True:
        page = iam.get_account_authorization_details(**kwargs)
        pages += 1
        assert len(page["UserDetailList"]) + len(page["GroupDetailList"]) <= 4
        names += [user["UserName"] for user in page["UserDetailList"]]
        names += [group["GroupName"] for group in page["GroupDetailList"]]
        if not page["IsTruncated"]:
            assert "Marker" not in page
            break
        kwargs["Marker"] = page["Marker"]
    assert pages == 2
    assert sorted(names) == ["group0", "group1", "group2", "user0", "user1", "user2"]
    whole = iam.get_account_authorization_details(Filter=["User", "Group"])  # AWS's default page: 100 items
    assert whole["IsTruncated"] is False
    assert whole["UserDetailList"][0]["GroupList"] == ["group0"]
    paginated = iam.get_paginator("get_account_authorization_details").paginate(Filter=["User"], MaxItems=2)
    assert sorted(user["UserName"] for user in paginated.build_full_result()["UserDetailList"]) == [
        "user0", "user1", "user2"]


def test_organizations_list_page_size_is_limited_as_in_aws(local_aws):
    organizations = boto3.client("organizations", region_name="us-east-1", endpoint_url=local_aws.url,
                                 config=NO_RETRIES, **BOOTSTRAP_CREDENTIALS)
    with pytest.raises(organizations.exceptions.InvalidInputException) as raised:
        organizations.list_accounts(MaxResults=21)
    assert raised.value.response["Reason"] == "MAX_VALUE_EXCEEDED"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_organizations_pages_accounts_twenty_at_a_time(aws_account):
    organizations = aws_account.client("organizations")
    organizations.create_organization(FeatureSet="ALL")
    for number in range(21):
        organizations.create_account(AccountName=f"member-{number}", Email=f"member-{number}@example.com")
    first = organizations.list_accounts(MaxResults=20)
    second = organizations.list_accounts(MaxResults=20, NextToken=first["NextToken"])
    assert (len(first["Accounts"]), len(second["Accounts"]), "NextToken" in second) == (20, 2, False)
    ids = {account["Id"] for account in first["Accounts"] + second["Accounts"]}
    assert len(ids) == 22 and aws_account.account_id in ids


def test_managed_policies_are_loaded(aws_account):
    policy = aws_account.client("iam").get_policy(PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    assert policy["Policy"]["PolicyName"] == "AdministratorAccess"


# --- accounts -------------------------------------------------------------------------------------------------

def test_accounts_are_isolated_after_assume_role(aws_account, aws_account_factory):
    other = aws_account_factory()
    aws_account.client("iam").create_user(UserName="Administrator")
    aws_account.client("secretsmanager").create_secret(Name="protonkit/admin", SecretString="x")
    assert other.client("iam").list_users()["Users"] == []
    assert other.client("secretsmanager").list_secrets()["SecretList"] == []
    assert other.client("sts").get_caller_identity()["Account"] == other.account_id
    assert aws_account.client("sts").get_caller_identity()["Account"] == aws_account.account_id


def test_the_account_env_is_what_botocore_reads(aws_account, monkeypatch):
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL_IAM", "AWS_ENDPOINT_URL_STS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in aws_account.env.items():
        monkeypatch.setenv(name, value)
    assert boto3.Session().client("sts").get_caller_identity()["Account"] == aws_account.account_id


# --- admin API, reset, command line ---------------------------------------------------------------------------

def test_admin_api_rejects_bad_input(local_aws):
    with pytest.raises(LocalAWSError, match="proton_mode must be one of"):
        local_aws.set_proton_mode("sometimes")
    with pytest.raises(LocalAWSError, match="propagation_delay"):
        local_aws.set_propagation_delay(-1)
    with pytest.raises(LocalAWSError, match="404"):
        local_aws._admin("GET", "nothing-here")


def test_settings_round_trip(local_aws):
    local_aws.set_propagation_delay(2)
    local_aws.set_proton_mode("gone")
    try:
        assert local_aws.settings() == {"proton_mode": "gone", "propagation_delay": 2.0, "seed": None}
    finally:
        local_aws.set_proton_mode("available")
        local_aws.set_propagation_delay(0)


def test_listens_on_loopback_only(local_aws):
    assert local_aws.url.startswith("http://127.0.0.1:")
    with urllib.request.urlopen(local_aws.url + "/_localaws/health") as response:
        assert json.loads(response.read()) == {"ok": True}


def test_reset_forgets_everything_and_restores_start_values():
    # A server of its own: resetting the shared one would pull the rug from other tests.
    rule = {"code": "AccessDenied", "service": "iam", "action": "DeleteUser"}
    server = LocalAWSClient.start(proton_mode="gone", propagation_delay=3, error_rules=[rule])
    try:
        assert server.settings() == {"proton_mode": "gone", "propagation_delay": 3.0, "seed": None}
        server.set_proton_mode("available")
        server.set_propagation_delay(0)
        account = Account(server, new_account_id())
        account.client("iam").create_user(UserName="Administrator")
        role = account.client("iam").create_role(RoleName="R", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        account.client("proton").update_account_settings(pipelineServiceRoleArn=role)
        server.add_error_rule(code="Throttling")
        server.reset()
        assert server.calls() == []
        assert [(r["code"], r["action"]) for r in server.error_rules()] == [("AccessDenied", "DeleteUser")]
        assert server.settings() == {"proton_mode": "gone", "propagation_delay": 3.0, "seed": None}
        server.set_proton_mode("available")
        again = Account(server, account.account_id)
        assert again.client("iam").list_users()["Users"] == []
        assert again.client("proton").get_account_settings()["accountSettings"] == {}
    finally:
        server.stop()


def test_iam_policies_can_be_enforced():
    # A server of its own: enforcing IAM on the shared one would deny every other test's calls.
    server = LocalAWSClient.start()
    try:
        account = Account(server, new_account_id())
        iam = account.client("iam")
        role = iam.create_role(RoleName="ProtonPipeline", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        statements = [{"Effect": "Allow", "Action": ["iam:ListUsers", "proton:UpdateAccountSettings"],
                       "Resource": "*"}]

        def user_with(statements, name):
            iam.create_user(UserName=name)
            iam.put_user_policy(UserName=name, PolicyName="policy", PolicyDocument=json.dumps(
                {"Version": "2012-10-17", "Statement": statements}))
            key = iam.create_access_key(UserName=name)["AccessKey"]
            return boto3.Session(region_name="us-east-1", aws_access_key_id=key["AccessKeyId"],
                                 aws_secret_access_key=key["SecretAccessKey"])

        runner = user_with(statements, "runner")
        passer = user_with(statements + [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": role}], "passer")
        server.enforce_iam_policies(after_actions=0)

        runner_iam = runner.client("iam", endpoint_url=server.url, config=NO_RETRIES)
        assert len(runner_iam.list_users()["Users"]) == 2
        response = error_of(runner_iam.create_user, UserName="intruder")
        assert (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]) == ("AccessDenied", 403)
        denied = server.calls(action="CreateUser")[-1]
        assert denied.pop("seconds") >= 0
        assert denied == {
            "account": account.account_id, "region": "us-east-1", "service": "iam", "action": "CreateUser",
            "write": True, "status": 403}
        # Handing a role to Proton needs iam:PassRole on it, as in AWS.
        runner_proton = runner.client("proton", endpoint_url=server.url, config=NO_RETRIES)
        with pytest.raises(runner_proton.exceptions.AccessDeniedException, match="iam:PassRole"):
            runner_proton.update_account_settings(pipelineServiceRoleArn=role)
        passer_proton = passer.client("proton", endpoint_url=server.url, config=NO_RETRIES)
        assert passer_proton.update_account_settings(pipelineServiceRoleArn=role)["accountSettings"] == {
            "pipelineServiceRoleArn": role}

        server.reset()  # enforcement off again, as the server started
        Account(server, new_account_id()).client("iam").create_user(UserName="anyone")
    finally:
        server.stop()


def test_command_line_start_status_stop(tmp_path):
    env = dict(os.environ)

    def localaws(*args):
        return subprocess.run([sys.executable, "-m", "localaws", *args, "--state-dir", str(tmp_path)],
                              capture_output=True, text=True, env=env, timeout=60, check=False)

    assert localaws("status").returncode != 0
    started = localaws("start", "--proton-mode", "unknown-operation")
    assert started.returncode == 0, started.stderr
    url = started.stdout.strip()
    assert url.startswith("http://127.0.0.1:")
    assert (tmp_path / "url").read_text().strip() == url
    try:
        assert localaws("start").stdout.strip() == url  # already running: the same one
        status = localaws("status")
        assert status.returncode == 0 and url in status.stdout
        assert LocalAWSClient(url).settings()["proton_mode"] == "unknown-operation"
        exports = localaws("env", "--account", "210987654321").stdout
        variables = dict(line.removeprefix("export ").split("=", 1) for line in exports.splitlines())
        assert variables["AWS_ENDPOINT_URL"] == url
        sts = boto3.client("sts", region_name=variables["AWS_REGION"], endpoint_url=url,
                           aws_access_key_id=variables["AWS_ACCESS_KEY_ID"],
                           aws_secret_access_key=variables["AWS_SECRET_ACCESS_KEY"],
                           aws_session_token=variables["AWS_SESSION_TOKEN"])
        assert sts.get_caller_identity()["Account"] == "210987654321"
    finally:
        assert localaws("stop").returncode == 0
    assert localaws("status").returncode != 0
    with pytest.raises(OSError):
        urllib.request.urlopen(url + "/_localaws/health", timeout=2)


def test_command_line_refuses_a_bad_error_rule(tmp_path):
    from localaws.__main__ import main

    with pytest.raises(SystemExit) as exited:
        main(["serve", "--error-rule", '{"code": "X", "count": 0}'])
    assert exited.value.code == 2


def test_command_line_offers_every_proton_mode():
    from localaws.__main__ import PROTON_MODE_CHOICES
    from localaws.server import PROTON_MODES

    assert PROTON_MODE_CHOICES == PROTON_MODES
