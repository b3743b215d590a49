"""The local AWS server: call log, error rules, moto fixes, isolation, admin API."""

import json
import urllib.request

import botocore.exceptions
import pytest

from localaws.calls import is_read
from localaws.client import LocalAWSError


def test_call_log_records_account_region_service_action_and_kind(aws_account):
    iam = aws_account.client("iam")
    iam.create_group(GroupName="Administrators")
    iam.get_group(GroupName="Administrators")
    aws_account.client("proton", region="eu-west-1").get_account_settings()
    calls = aws_account.calls()
    assert [(c["service"], c["action"], c["write"], c["region"], c["status"]) for c in calls] == [
        ("iam", "CreateGroup", True, "us-east-1", 200),
        ("iam", "GetGroup", False, "us-east-1", 200),
        ("proton", "GetAccountSettings", False, "eu-west-1", 200),
    ]
    assert {c["account"] for c in calls} == {aws_account.account_id}
    assert aws_account.write_calls() == calls[:1]


def test_failed_calls_are_logged_with_their_status(aws_account):
    with pytest.raises(botocore.exceptions.ClientError):
        aws_account.client("iam").get_user(UserName="nobody")
    assert aws_account.calls()[-1]["status"] == 404


@pytest.mark.parametrize("service, action, read", [
    ("iam", "GetGroup", True), ("iam", "ListAttachedGroupPolicies", True), ("sts", "AssumeRole", True),
    ("iam", "CreateUser", False), ("iam", "TagUser", False), ("proton", "UpdateAccountSettings", False),
    ("secretsmanager", "PutSecretValue", False), ("organizations", "DescribeOrganization", True),
])
def test_read_write_classification(service, action, read):
    assert is_read(service, action) is read


def test_clearing_the_call_log(aws_account, local_aws):
    aws_account.client("iam").list_users()
    local_aws.clear_calls()
    assert aws_account.calls() == []


def test_error_rule_answers_in_the_query_protocol_and_changes_nothing(aws_account, local_aws):
    local_aws.add_error_rule(code="AccessDenied", message="denied by test", status=403,
                             account=aws_account.account_id, service="iam", action="CreateUser", count=1)
    iam = aws_account.client("iam")
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        iam.create_user(UserName="Administrator")
    assert raised.value.response["Error"] == {"Type": "Sender", "Code": "AccessDenied", "Message": "denied by test"}
    assert iam.list_users()["Users"] == []
    # count=1: the rule is used up, the retry goes through.
    iam.create_user(UserName="Administrator")
    assert [c["status"] for c in aws_account.calls() if c["action"] == "CreateUser"] == [403, 200]


def test_error_rule_answers_in_the_json_protocol(aws_account, local_aws):
    local_aws.add_error_rule(code="ThrottlingException", message="slow down", service="proton")
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        aws_account.client("proton").get_account_settings()
    assert raised.value.response["Error"]["Code"] == "ThrottlingException"
    assert raised.value.response["Error"]["Message"] == "slow down"


def test_error_rule_for_one_account_leaves_others_alone(aws_account, local_aws):
    local_aws.add_error_rule(code="AccessDenied", service="sts", action="GetCallerIdentity", account="111111111111")
    assert aws_account.client("sts").get_caller_identity()["Account"] == aws_account.account_id


def test_login_profile_keeps_password_reset_required(aws_account):
    iam = aws_account.client("iam")
    iam.create_user(UserName="Administrator")
    iam.create_login_profile(UserName="Administrator", Password="Correct-Horse-9-Battery", PasswordResetRequired=True)
    assert iam.get_login_profile(UserName="Administrator")["LoginProfile"]["PasswordResetRequired"] is True
    # Updating only the flag keeps the console password (moto would drop it).
    iam.update_login_profile(UserName="Administrator", PasswordResetRequired=False)
    assert iam.get_login_profile(UserName="Administrator")["LoginProfile"]["PasswordResetRequired"] is False


def test_managed_policies_are_loaded(aws_account):
    policy = aws_account.client("iam").get_policy(PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    assert policy["Policy"]["PolicyName"] == "AdministratorAccess"


def test_accounts_are_isolated_after_assume_role(aws_account, local_aws):
    from conftest import Account, new_account_id

    other = Account(local_aws, new_account_id())
    aws_account.client("iam").create_user(UserName="Administrator")
    assert other.client("iam").list_users()["Users"] == []
    assert other.client("sts").get_caller_identity()["Account"] == other.account_id


def test_admin_api_rejects_bad_settings(local_aws):
    with pytest.raises(LocalAWSError, match="proton_mode must be one of"):
        local_aws.set_proton_mode("sometimes")
    with pytest.raises(LocalAWSError, match="404"):
        local_aws._admin("GET", "nothing-here")


def test_settings_round_trip(local_aws):
    local_aws.set_propagation_delay(2)
    local_aws.set_proton_mode("gone")
    assert local_aws.settings() == {"proton_mode": "gone", "propagation_delay": 2.0}
    local_aws.set_proton_mode("available")
    local_aws.set_propagation_delay(0)


def test_reset_forgets_everything():
    # A server of its own: resetting the shared one would pull the rug from other tests.
    from localaws.client import LocalAWSClient
    from conftest import Account, new_account_id

    server = LocalAWSClient.start(proton_mode="gone")
    try:
        account = Account(server, new_account_id())
        account.client("iam").create_user(UserName="Administrator")
        server.add_error_rule(code="AccessDenied")
        server.set_proton_mode("available")
        server.reset()
        assert server.calls() == []
        assert server._admin("GET", "error-rules") == {"rules": []}
        assert server.settings()["proton_mode"] == "gone"  # back to the start value
        assert Account(server, account.account_id).client("iam").list_users()["Users"] == []
    finally:
        server.stop()


def test_listens_on_loopback_only(local_aws):
    assert local_aws.url.startswith("http://127.0.0.1:")
    with urllib.request.urlopen(local_aws.url + "/_localaws/health") as response:
        assert json.loads(response.read()) == {"ok": True}
