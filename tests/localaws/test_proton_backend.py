"""The Proton account-settings backend, through real boto3 clients, as the AWS Proton API contract says."""

import json
import time

import boto3
import botocore.exceptions
import pytest

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                            "Principal": {"Service": "proton.amazonaws.com"}}]})


def create_role(account, name="ProtonPipeline"):
    return account.client("iam").create_role(RoleName=name, Path="/service-role/", AssumeRolePolicyDocument=TRUST)[
        "Role"]["Arn"]


def error_of(call, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        call(**kwargs)
    return raised.value.response


def test_fresh_account_has_empty_settings(aws_account):
    assert aws_account.client("proton").get_account_settings()["accountSettings"] == {}


def test_set_change_and_clear_the_pipeline_role(aws_account):
    proton = aws_account.client("proton")
    first, second = create_role(aws_account, "First"), create_role(aws_account, "Second")
    assert proton.update_account_settings(pipelineServiceRoleArn=first)["accountSettings"] == {
        "pipelineServiceRoleArn": first}
    proton.update_account_settings(pipelineServiceRoleArn=second, pipelineCodebuildRoleArn=first)
    assert proton.get_account_settings()["accountSettings"] == {"pipelineServiceRoleArn": second,
                                                                "pipelineCodebuildRoleArn": first}
    # An empty string clears a role setting; an omitted member is left as it is.
    proton.update_account_settings(pipelineServiceRoleArn="")
    assert proton.get_account_settings()["accountSettings"] == {"pipelineCodebuildRoleArn": first}


def test_repository_is_stored_with_its_arn_and_deleted_on_request(aws_account):
    proton = aws_account.client("proton")
    repository = {"provider": "GITHUB", "name": "acme/proton-pipelines", "branch": "main"}
    settings = proton.update_account_settings(pipelineProvisioningRepository=repository)["accountSettings"]
    assert settings["pipelineProvisioningRepository"] == dict(
        repository, arn=f"arn:aws:proton:us-east-1:{aws_account.account_id}:repository/github:acme/proton-pipelines")
    proton.update_account_settings(deletePipelineProvisioningRepository=True)
    assert proton.get_account_settings()["accountSettings"] == {}


@pytest.mark.parametrize("arguments, fragment", [
    ({"pipelineServiceRoleArn": "arn:aws::iam::123:role/x"}, "regular expression pattern"),
    ({"pipelineServiceRoleArn": "not-an-arn"}, "pipelineServiceRoleArn"),
    ({"pipelineCodebuildRoleArn": "arn:aws:iam::123456789012:user/x"}, "pipelineCodebuildRoleArn"),
    ({"pipelineProvisioningRepository": {"provider": "GITLAB", "name": "a/b", "branch": "main"}}, "enum value set"),
    ({"pipelineProvisioningRepository": {"provider": "GITHUB", "name": "no-slash", "branch": "main"}},
     "pipelineProvisioningRepository.name"),
    ({"pipelineProvisioningRepository": {"provider": "GITHUB", "name": "a/b", "branch": "b" * 201}},
     "length less than or equal to 200"),
    ({"pipelineProvisioningRepository": {"provider": "GITHUB", "name": "a/b", "branch": "main"},
      "deletePipelineProvisioningRepository": True}, "can't be used together"),
])
def test_invalid_input_is_a_validation_exception_that_changes_nothing(aws_account, arguments, fragment):
    proton = aws_account.client("proton")
    response = error_of(proton.update_account_settings, **arguments)
    assert response["Error"]["Code"] == "ValidationException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert fragment in response["Error"]["Message"]
    assert proton.get_account_settings()["accountSettings"] == {}


def test_a_role_that_does_not_exist_in_the_account_is_rejected(aws_account):
    proton = aws_account.client("proton")
    missing = f"arn:aws:iam::{aws_account.account_id}:role/service-role/Missing"
    assert error_of(proton.update_account_settings, pipelineServiceRoleArn=missing)["Error"]["Code"] == (
        "ValidationException")
    # A role of another account is not usable either, even when it exists there.
    other = f"arn:aws:iam::123456789012:role/{create_role(aws_account).rsplit('/', 1)[1]}"
    assert error_of(proton.update_account_settings, pipelineServiceRoleArn=other)["Error"]["Code"] == (
        "ValidationException")


def test_a_rejected_update_changes_no_member(aws_account):
    proton = aws_account.client("proton")
    good = create_role(aws_account)
    missing = f"arn:aws:iam::{aws_account.account_id}:role/Missing"
    error_of(proton.update_account_settings, pipelineServiceRoleArn=good, pipelineCodebuildRoleArn=missing)
    assert proton.get_account_settings()["accountSettings"] == {}


def test_propagation_delay_hides_new_roles_for_a_while(aws_account, local_aws):
    local_aws.set_propagation_delay(1.5)
    proton = aws_account.client("proton")
    role = create_role(aws_account)
    assert error_of(proton.update_account_settings, pipelineServiceRoleArn=role)["Error"]["Code"] == (
        "ValidationException")
    time.sleep(1.6)
    assert proton.update_account_settings(pipelineServiceRoleArn=role)["accountSettings"] == {
        "pipelineServiceRoleArn": role}


def test_settings_are_kept_per_account_and_per_region(aws_account, local_aws):
    role = create_role(aws_account)
    aws_account.client("proton", region="eu-west-1").update_account_settings(pipelineServiceRoleArn=role)
    assert aws_account.client("proton", region="eu-west-1").get_account_settings()["accountSettings"] == {
        "pipelineServiceRoleArn": role}
    assert aws_account.client("proton", region="us-east-1").get_account_settings()["accountSettings"] == {}
    default_account = boto3.client("proton", region_name="eu-west-1", endpoint_url=local_aws.url,
                                   aws_access_key_id="AKIAOTHERACCOUNT0000", aws_secret_access_key="x")
    assert default_account.get_account_settings()["accountSettings"] == {}


def test_unknown_operation_after_end_of_support(aws_account, local_aws):
    local_aws.set_proton_mode("unknown-operation")
    response = error_of(aws_account.client("proton").get_account_settings)
    assert response["Error"]["Code"] == "UnknownOperationException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_endpoint_gone_after_end_of_support(aws_account, local_aws):
    local_aws.set_proton_mode("gone")
    response = error_of(aws_account.client("proton").get_account_settings)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 404
    # IAM keeps answering: only Proton went away.
    assert aws_account.client("iam").list_roles()["Roles"] == []


def test_endpoint_not_resolving_is_reproduced_with_the_per_service_endpoint(aws_account, monkeypatch):
    # botocore reads AWS_ENDPOINT_URL_PROTON per service, over AWS_ENDPOINT_URL for all the others.
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws_account.local_aws.url)
    monkeypatch.setenv("AWS_ENDPOINT_URL_PROTON", "http://proton.invalid")
    session = boto3.Session(region_name="us-east-1", **aws_account.credentials)
    config = botocore.config.Config(retries={"max_attempts": 1}, connect_timeout=2)
    with pytest.raises(botocore.exceptions.EndpointConnectionError):
        session.client("proton", config=config).get_account_settings()
    assert session.client("iam").list_roles()["Roles"] == []
