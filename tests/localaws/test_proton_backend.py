"""The Proton account-settings backend, through real boto3 clients, as botocore's proton model describes it."""

import json
import time

import boto3
import botocore.config
import botocore.exceptions
import pytest

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                            "Principal": {"Service": "proton.amazonaws.com"}}]})
# Without client-side validation, to reach the server's own (botocore checks lengths itself, as AWS's SDKs do).
UNCHECKED = botocore.config.Config(parameter_validation=False, retries={"total_max_attempts": 1})
REPOSITORY = {"provider": "GITHUB", "name": "acme/proton-pipelines", "branch": "main"}


def create_role(account, name="ProtonPipeline"):
    iam = account.client("iam")
    return iam.create_role(RoleName=name, Path="/service-role/", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]


def error_of(call, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        call(**kwargs)
    return raised.value.response


def test_fresh_account_has_empty_settings(aws_account):
    assert aws_account.client("proton").get_account_settings()["accountSettings"] == {}


def test_set_change_and_clear_the_pipeline_roles(aws_account):
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
    proton.update_account_settings(pipelineCodebuildRoleArn="")
    assert proton.get_account_settings()["accountSettings"] == {}


def test_repository_is_stored_with_its_arn_and_deleted_on_request(aws_account):
    proton = aws_account.client("proton")
    role = create_role(aws_account)
    settings = proton.update_account_settings(pipelineProvisioningRepository=REPOSITORY,
                                              pipelineServiceRoleArn=role)["accountSettings"]
    assert settings["pipelineProvisioningRepository"] == dict(
        REPOSITORY, arn=f"arn:aws:proton:us-east-1:{aws_account.account_id}:repository/github:acme/proton-pipelines")
    proton.update_account_settings(deletePipelineProvisioningRepository=True)
    assert proton.get_account_settings()["accountSettings"] == {"pipelineServiceRoleArn": role}
    # Deleting what is not there is not an error.
    proton.update_account_settings(deletePipelineProvisioningRepository=True)


def test_the_wire_format_is_json_1_0_with_type_and_message(aws_account):
    proton = aws_account.client("proton")
    raw = []
    proton.meta.events.register("after-call", lambda http_response, **_: raw.append(http_response))
    proton.get_account_settings()
    assert raw[-1].headers["Content-Type"] == "application/x-amz-json-1.0"
    assert json.loads(raw[-1].content) == {"accountSettings": {}}
    error_of(proton.update_account_settings, pipelineServiceRoleArn="not-an-arn")
    assert raw[-1].status_code == 400
    body = json.loads(raw[-1].content)
    assert set(body) == {"__type", "message"}
    assert body["__type"] == "ValidationException"


@pytest.mark.parametrize("arguments, fragment", [
    ({"pipelineServiceRoleArn": "arn:aws::iam::123:role/x"}, "regular expression pattern"),
    ({"pipelineServiceRoleArn": "not-an-arn"}, "pipelineServiceRoleArn"),
    ({"pipelineServiceRoleArn": "arn:aws:iam::123456789012:user/someone"}, "pipelineServiceRoleArn"),
    ({"pipelineCodebuildRoleArn": "arn:aws:iam::123456789012:user/x"}, "pipelineCodebuildRoleArn"),
    ({"pipelineCodebuildRoleArn": "arn:aws:iam::123456789012:role/" + "r" * 2048}, "length less than or equal to 2048"),
    ({"pipelineProvisioningRepository": dict(REPOSITORY, provider="GITLAB")}, "enum value set"),
    ({"pipelineProvisioningRepository": dict(REPOSITORY, name="no-slash")}, "pipelineProvisioningRepository.name"),
    ({"pipelineProvisioningRepository": dict(REPOSITORY, name="a/" + "b" * 99)}, "length less than or equal to 100"),
    ({"pipelineProvisioningRepository": dict(REPOSITORY, branch="b" * 201)}, "length less than or equal to 200"),
    ({"pipelineProvisioningRepository": dict(REPOSITORY, branch="")}, "length greater than or equal to 1"),
    ({"pipelineProvisioningRepository": {"provider": "GITHUB", "name": "a/b"}}, "Missing required member 'branch'"),
    ({"pipelineProvisioningRepository": REPOSITORY, "deletePipelineProvisioningRepository": True},
     "can't be used together"),
])
def test_invalid_input_is_a_validation_exception_that_changes_nothing(aws_account, arguments, fragment):
    proton = aws_account.client("proton", config=UNCHECKED)
    response = error_of(proton.update_account_settings, **arguments)
    assert response["Error"]["Code"] == "ValidationException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert fragment in response["Error"]["Message"]
    assert proton.get_account_settings()["accountSettings"] == {}


@pytest.mark.parametrize("arguments", [
    {"pipelineServiceRoleArn": 42},
    {"deletePipelineProvisioningRepository": "yes"}, {"pipelineProvisioningRepository": dict(REPOSITORY, name=7)},
])
def test_members_of_the_wrong_type_are_a_serialization_exception(aws_account, arguments):
    proton = aws_account.client("proton", config=UNCHECKED)
    response = error_of(proton.update_account_settings, **arguments)
    assert (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]) == (
        "SerializationException", 400)


def test_botocore_raises_the_modelled_exception_class(aws_account):
    proton = aws_account.client("proton")
    with pytest.raises(proton.exceptions.ValidationException):
        proton.update_account_settings(pipelineServiceRoleArn="not-an-arn")


def test_a_role_that_does_not_exist_in_the_account_is_rejected(aws_account, aws_account_factory):
    proton = aws_account.client("proton")
    missing = f"arn:aws:iam::{aws_account.account_id}:role/service-role/Missing"
    response = error_of(proton.update_account_settings, pipelineCodebuildRoleArn=missing)
    assert response["Error"]["Code"] == "ValidationException"
    assert missing in response["Error"]["Message"]
    # A role of another account is not usable either, even though it exists there.
    elsewhere = create_role(aws_account_factory())
    assert error_of(proton.update_account_settings, pipelineServiceRoleArn=elsewhere)["Error"]["Code"] == (
        "ValidationException")
    # Same name in the right account but another path: a different ARN, so not found.
    create_role(aws_account, "Missing")
    assert error_of(proton.update_account_settings, pipelineServiceRoleArn=missing.replace(
        "service-role/", "other/"))["Error"]["Code"] == "ValidationException"


def test_a_rejected_update_changes_no_member(aws_account):
    proton = aws_account.client("proton")
    good = create_role(aws_account)
    missing = f"arn:aws:iam::{aws_account.account_id}:role/Missing"
    error_of(proton.update_account_settings, pipelineServiceRoleArn=good, pipelineCodebuildRoleArn=missing,
             pipelineProvisioningRepository=REPOSITORY)
    assert proton.get_account_settings()["accountSettings"] == {}


def test_propagation_delay_hides_new_roles_for_a_while(aws_account, local_aws):
    local_aws.set_propagation_delay(1.0)
    proton = aws_account.client("proton")
    role = create_role(aws_account)
    assert error_of(proton.update_account_settings, pipelineServiceRoleArn=role)["Error"]["Code"] == (
        "ValidationException")
    time.sleep(1.1)
    assert proton.update_account_settings(pipelineServiceRoleArn=role)["accountSettings"] == {
        "pipelineServiceRoleArn": role}


def test_settings_are_kept_per_account_and_per_region(aws_account, aws_account_factory, local_aws):
    role = create_role(aws_account)
    aws_account.client("proton", region="eu-west-1").update_account_settings(pipelineServiceRoleArn=role)
    assert aws_account.client("proton", region="eu-west-1").get_account_settings()["accountSettings"] == {
        "pipelineServiceRoleArn": role}
    assert aws_account.client("proton", region="us-east-1").get_account_settings()["accountSettings"] == {}
    assert aws_account_factory().client("proton", region="eu-west-1").get_account_settings()[
        "accountSettings"] == {}
    default_account = boto3.client("proton", region_name="eu-west-1", endpoint_url=local_aws.url,
                                   aws_access_key_id="AKIAOTHERACCOUNT0000", aws_secret_access_key="x")
    assert default_account.get_account_settings()["accountSettings"] == {}


def test_repository_arn_names_the_region_it_was_set_in(aws_account):
    proton = aws_account.client("proton", region="eu-central-1")
    settings = proton.update_account_settings(pipelineProvisioningRepository=REPOSITORY)["accountSettings"]
    assert settings["pipelineProvisioningRepository"]["arn"].startswith(
        f"arn:aws:proton:eu-central-1:{aws_account.account_id}:repository/")


# --- after Proton's end of support (2026-10-07) ---------------------------------------------------------------

def test_unknown_operation_after_end_of_support(aws_account, local_aws):
    local_aws.set_proton_mode("unknown-operation")
    for call in (aws_account.client("proton").get_account_settings,
                 lambda: aws_account.client("proton").update_account_settings(pipelineServiceRoleArn="")):
        response = error_of(call)
        assert response["Error"]["Code"] == "UnknownOperationException"
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    local_aws.set_proton_mode("available")
    assert aws_account.client("proton").get_account_settings()["accountSettings"] == {}


def test_endpoint_gone_after_end_of_support(aws_account, local_aws):
    local_aws.set_proton_mode("gone")
    response = error_of(aws_account.client("proton").get_account_settings)
    # No AWS error body: botocore makes the code out of the HTTP status.
    assert response["Error"]["Code"] == "404"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 404
    # IAM keeps answering: only Proton went away.
    assert aws_account.client("iam").list_roles()["Roles"] == []


def test_region_proton_never_served_has_no_endpoint(aws_account):
    response = error_of(aws_account.client("proton", region="us-nowhere-1").get_account_settings)
    assert (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]) == ("404", 404)
    assert aws_account.client("proton").get_account_settings()["accountSettings"] == {}


def test_endpoint_not_resolving_is_reproduced_with_the_per_service_endpoint(aws_account, monkeypatch):
    # botocore reads AWS_ENDPOINT_URL_PROTON for Proton, over AWS_ENDPOINT_URL for every other service.
    for name, value in aws_account.env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL_PROTON", "http://proton.invalid")
    session = boto3.Session()
    config = botocore.config.Config(retries={"total_max_attempts": 1}, connect_timeout=2)
    with pytest.raises(botocore.exceptions.EndpointConnectionError):
        session.client("proton", config=config).get_account_settings()
    assert session.client("sts").get_caller_identity()["Account"] == aws_account.account_id


def test_operations_outside_account_settings_say_they_are_not_implemented(aws_account):
    response = error_of(aws_account.client("proton", config=UNCHECKED).list_environments)
    assert response["Error"]["Code"] == "NotImplemented"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 501
