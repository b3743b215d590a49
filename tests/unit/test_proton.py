"""The Proton logic (plugins/module_utils/proton.py) without a server: the policy documents each ``permissions``
mode writes, input checks, the account-settings difference and its prediction, and which errors mean "Proton is
gone". Errors are produced by real botocore clients (botocore's Stubber answers for AWS; none of our code is
replaced). What the module does against the local AWS is covered in tests/integration."""

import json

import boto3
import botocore.exceptions
import pytest
from botocore.stub import Stubber

from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
from ansible_collections.protonkit.accounts.plugins.module_utils import proton
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import ProtonUnavailable
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import call_proton
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import desired_settings
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import inline_policies_problem
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import permissions_policy
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import permissions_problem
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import predicted_settings
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import repository_problem
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import settings_update
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import trust_policy
from ansible_collections.protonkit.accounts.plugins.module_utils.proton import update_with_propagation_retry

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/service-role/AWSProtonPipelineServiceRole"
OTHER = f"arn:aws:iam::{ACCOUNT}:role/TheirRole"
REPOSITORY = {"provider": "GITHUB", "name": "acme/pipelines", "branch": "main"}
VIA_CLOUDFORMATION = {"ForAnyValue:StringEquals": {"aws:CalledVia": ["cloudformation.amazonaws.com"]}}


# --- policy documents -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("partition", ["aws", "aws-cn", "aws-us-gov"])
def test_proton_trust_has_both_confused_deputy_conditions_with_a_well_formed_arn(partition):
    statement = trust_policy("proton.amazonaws.com", ACCOUNT, partition)["Statement"][0]
    assert statement["Principal"] == {"Service": "proton.amazonaws.com"}
    assert statement["Action"] == "sts:AssumeRole"
    source_arn = statement["Condition"]["ArnLike"]["aws:SourceArn"]
    assert source_arn == f"arn:{partition}:proton:*:{ACCOUNT}:*"
    # The guide's arn:aws::proton:... has the service in the region field: six fields, the third the service.
    assert source_arn.split(":")[2] == "proton"
    assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": ACCOUNT}


def test_codebuild_trust_has_the_source_account_only():
    statement = trust_policy("codebuild.amazonaws.com", ACCOUNT, "aws")["Statement"][0]
    assert statement["Principal"] == {"Service": "codebuild.amazonaws.com"}
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}


def test_console_policy():
    statements = {s["Sid"]: s for s in permissions_policy("console", ACCOUNT, "aws-cn")["Statement"]}
    assert set(statements) == {"ProtonStacks", "ResourcesThroughCloudFormation",
                               "OrganizationAndRegionsThroughCloudFormation"}
    stacks = statements["ProtonStacks"]
    assert stacks["Resource"] == f"arn:aws-cn:cloudformation:*:{ACCOUNT}:stack/AWSProton-*"
    assert "cloudformation:CreateStack" in stacks["Action"] and "cloudformation:DeleteStack" in stacks["Action"]
    assert all(action.startswith("cloudformation:") for action in stacks["Action"])
    everything = statements["ResourcesThroughCloudFormation"]
    assert everything["NotAction"] == ["organizations:*", "account:*"] and everything["Resource"] == "*"
    assert everything["Condition"] == VIA_CLOUDFORMATION
    reads = statements["OrganizationAndRegionsThroughCloudFormation"]
    assert reads["Action"] == ["organizations:DescribeOrganization", "account:ListRegions"]
    assert reads["Condition"] == VIA_CLOUDFORMATION


def test_scoped_policy_lists_only_the_allowed_services_once():
    statements = permissions_policy("scoped", ACCOUNT, "aws", ["s3", "lambda", "s3"])["Statement"]
    assert [s["Sid"] for s in statements] == ["ProtonStacks", "ListedServicesThroughCloudFormation"]
    assert statements[1]["Action"] == ["lambda:*", "s3:*"]
    assert statements[1]["Condition"] == VIA_CLOUDFORMATION


@pytest.mark.parametrize("permissions", ["administrator", "custom"])
def test_modes_without_an_inline_policy(permissions):
    assert permissions_policy(permissions, ACCOUNT, "aws") is None


def test_policies_are_valid_json_and_stable():
    policy = permissions_policy("console", ACCOUNT, "aws")
    assert json.loads(json.dumps(policy)) == policy
    assert not compare_policies(policy, permissions_policy("console", ACCOUNT, "aws"))


# --- input ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("permissions, services, fragment", [
    ("scoped", None, "needs the services"),
    ("scoped", [], "needs the services"),
    ("scoped", ["S3"], "not a service prefix"),
    ("scoped", ["s3:*"], "not a service prefix"),
    ("scoped", [""], "not a service prefix"),
    ("console", ["s3"], "only used with permissions: scoped"),
])
def test_permissions_problems_name_allowed_services(permissions, services, fragment):
    problem = permissions_problem(permissions, services)
    assert problem.startswith("allowed_services:") and fragment in problem


@pytest.mark.parametrize("services", [["s3"], ["lambda", "route53-recovery-control-config", "ec2"]])
def test_good_allowed_services(services):
    assert permissions_problem("scoped", services) is None


def test_inline_policies_decoded_from_json_text():
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    documents, problem = inline_policies_problem("console", {"Text": json.dumps(document), "Dict": document})
    assert problem is None and documents == {"Text": document, "Dict": document}


@pytest.mark.parametrize("permissions, policies, fragment", [
    ("console", {"ProtonProvisioning": {"Statement": []}}, "choose another name"),
    ("scoped", {"ProtonProvisioning": {"Statement": []}}, "choose another name"),
    ("custom", {"Broken": "{not json"}, "not valid JSON"),
    ("custom", {"NoStatements": {"Version": "2012-10-17"}}, "with a Statement"),
    ("custom", {"List": ["s3:*"]}, "with a Statement"),
])
def test_inline_policy_problems(permissions, policies, fragment):
    documents, problem = inline_policies_problem(permissions, policies)
    assert documents is None and problem.startswith("inline_policies:") and fragment in problem


def test_custom_mode_may_write_the_provisioning_policy_itself():
    assert inline_policies_problem("custom", {"ProtonProvisioning": {"Statement": []}})[1] is None


@pytest.mark.parametrize("repository, fragment", [
    ({"provider": "GITHUB", "name": "acme/p", "branch": None}, "branch missing"),
    ({"provider": None, "name": "acme/p", "branch": None}, "provider, branch missing"),
    ({"provider": "GITHUB", "name": "no-owner", "branch": "main"}, "pipeline_provisioning_repository.name"),
    ({"provider": "GITHUB", "name": "a/b/c", "branch": "main"}, "pipeline_provisioning_repository.name"),
    ({"provider": "GITHUB", "name": "/repo", "branch": "main"}, "pipeline_provisioning_repository.name"),
    ({"provider": "GITHUB", "name": "a/b", "branch": "x" * 201}, "pipeline_provisioning_repository.branch"),
])
def test_repository_problems(repository, fragment):
    assert fragment in repository_problem(repository)


@pytest.mark.parametrize("repository", [None, {}, {"provider": None, "name": None, "branch": None}, REPOSITORY])
def test_good_repositories(repository):
    assert repository_problem(repository) is None


# --- account settings -----------------------------------------------------------------------------------------------
def test_desired_settings():
    assert desired_settings(ROLE, None, None) == {"pipelineServiceRoleArn": ROLE}
    assert desired_settings(ROLE, OTHER, dict(REPOSITORY)) == {
        "pipelineServiceRoleArn": ROLE, "pipelineCodebuildRoleArn": OTHER, "pipelineProvisioningRepository": REPOSITORY}
    assert desired_settings(ROLE, None, {"provider": None, "name": None, "branch": None}) == {
        "pipelineServiceRoleArn": ROLE, "pipelineProvisioningRepository": {}}


def test_nothing_to_write_when_settings_match():
    current = {"pipelineServiceRoleArn": ROLE,
               "pipelineProvisioningRepository": dict(REPOSITORY, arn="arn:aws:proton:us-east-1:1:repository/x")}
    assert settings_update(current, desired_settings(ROLE, None, dict(REPOSITORY))) == {}
    # Leaving the repository out leaves it alone.
    assert settings_update(current, desired_settings(ROLE, None, None)) == {}


def test_only_the_differences_are_written():
    current = {"pipelineServiceRoleArn": OTHER, "pipelineProvisioningRepository": REPOSITORY}
    update = settings_update(current, desired_settings(ROLE, None, dict(REPOSITORY, branch="release")))
    assert update == {"pipelineServiceRoleArn": ROLE,
                      "pipelineProvisioningRepository": dict(REPOSITORY, branch="release")}


def test_repository_removal_only_when_there_is_one():
    assert settings_update({}, {"pipelineProvisioningRepository": {}}) == {}
    assert settings_update({"pipelineProvisioningRepository": REPOSITORY}, {"pipelineProvisioningRepository": {}}) == {
        "deletePipelineProvisioningRepository": True}


def test_clearing_a_role_arn():
    assert settings_update({"pipelineServiceRoleArn": ROLE}, {"pipelineServiceRoleArn": ""}) == {
        "pipelineServiceRoleArn": ""}
    assert settings_update({}, {"pipelineServiceRoleArn": ""}) == {}


def test_prediction_applies_the_update_as_proton_does():
    current = {"pipelineServiceRoleArn": OTHER, "pipelineCodebuildRoleArn": OTHER}
    update = {"pipelineServiceRoleArn": ROLE, "pipelineCodebuildRoleArn": "",
              "pipelineProvisioningRepository": REPOSITORY}
    assert predicted_settings(current, update, ACCOUNT, "eu-west-1", "aws") == {
        "pipelineServiceRoleArn": ROLE,
        "pipelineProvisioningRepository": dict(
            REPOSITORY, arn=f"arn:aws:proton:eu-west-1:{ACCOUNT}:repository/github:acme/pipelines"),
    }
    assert predicted_settings({"pipelineProvisioningRepository": REPOSITORY},
                              {"deletePipelineProvisioningRepository": True}, ACCOUNT, "eu-west-1", "aws") == {}


# --- when Proton is gone --------------------------------------------------------------------------------------------
@pytest.fixture
def stubbed_proton():
    client = boto3.client("proton", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stubber:
        yield client, stubber


def retrying(operation):
    """What AnsibleAWSModule's retrying wrapper accepts: an aws_retry keyword."""
    def call(aws_retry=False, **kwargs):
        return operation(**kwargs)
    return call


@pytest.mark.parametrize("code, status", [
    ("UnknownOperationException", 400),
    ("UnrecognizedClientException", 400),
    ("404", 404),
    ("403", 403),
    ("NotFound", 404),
])
def test_an_endpoint_that_does_not_know_proton_is_unavailable(stubbed_proton, code, status):
    client, stubber = stubbed_proton
    stubber.add_client_error("get_account_settings", service_error_code=code, http_status_code=status)
    with pytest.raises(ProtonUnavailable) as raised:
        call_proton("us-east-1", retrying(client.get_account_settings))
    message = raised.value.message()
    assert "end of support on 2026-10-07" in message
    # Each way on names the playbook variable (what -e reaches) and then the module option.
    assert "proton_roles_unavailable=warn (module option proton_unavailable: warn)" in message
    assert ("proton_roles_configure_account_settings=false (module option configure_account_settings: false)"
            in message)
    assert "protonkit.accounts.teardown playbook (module option state: absent)" in message
    assert "account_bootstrap_proton_roles" in message
    assert "end of support on 2026-10-07" in raised.value.message(hint=False)
    assert "configure_account_settings" not in raised.value.message(hint=False)


@pytest.mark.parametrize("code, status", [
    ("AccessDeniedException", 403),
    ("ValidationException", 400),
    ("ThrottlingException", 400),
])
def test_a_real_proton_refusal_is_not_end_of_support(stubbed_proton, code, status):
    client, stubber = stubbed_proton
    stubber.add_client_error("get_account_settings", service_error_code=code, http_status_code=status)
    with pytest.raises(botocore.exceptions.ClientError):
        call_proton("us-east-1", retrying(client.get_account_settings))


@pytest.mark.parametrize("error", [
    botocore.exceptions.EndpointConnectionError(endpoint_url="https://proton.us-east-1.amazonaws.com"),
    botocore.exceptions.ConnectTimeoutError(endpoint_url="https://proton.us-east-1.amazonaws.com"),
    botocore.exceptions.UnknownServiceError(service_name="proton", known_service_names="iam, sts"),
    botocore.exceptions.UnknownEndpointError(service_name="proton", region_name="us-east-1"),
])
def test_no_answer_at_all_is_unavailable(error):
    def operation(**kwargs):
        raise error

    with pytest.raises(ProtonUnavailable) as raised:
        call_proton("us-east-1", operation)
    assert raised.value.region == "us-east-1"


class FakeModule:
    def __init__(self, region, **params):
        self.region = region
        self.params = dict({"endpoint_url": None}, **params)

    def client(self, *args, **kwargs):
        raise AssertionError("no client may be made")


@pytest.fixture
def no_endpoint_env(monkeypatch):
    for variable in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_PROTON"):
        monkeypatch.delenv(variable, raising=False)


@pytest.mark.parametrize("region", ["cn-north-1", "us-gov-west-1", "us-nowhere-1"])
def test_a_region_botocore_lists_no_proton_endpoint_for_is_proton_unavailable(no_endpoint_env, region):
    # Not an input error: one more way of Proton not answering, so proton_unavailable decides (before any call).
    assert proton.regions_problem(None, region) is None
    with pytest.raises(ProtonUnavailable) as raised:
        proton.proton_client(FakeModule(region), region)
    message = raised.value.message()
    assert raised.value.region == region and f"no AWS Proton endpoint in {region}" in message
    assert "endpoint_url" in message and "proton_roles_unavailable=warn" in message


def test_a_proton_region_is_fine(no_endpoint_env):
    assert proton.regions_problem(None, "us-east-1") is None
    assert proton.endpoint_missing(FakeModule("us-east-1"), "us-east-1") is None


@pytest.mark.parametrize("setting", ["param", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_PROTON"])
def test_a_custom_endpoint_allows_any_region(no_endpoint_env, monkeypatch, setting):
    if setting == "param":
        module = FakeModule("cn-north-1", endpoint_url="http://127.0.0.1:1")
    else:
        monkeypatch.setenv(setting, "http://127.0.0.1:1")
        module = FakeModule("cn-north-1")
    assert proton.endpoint_missing(module, "cn-north-1") is None


def test_no_region_is_a_clear_error():
    problem = proton.regions_problem(None, None)
    assert problem.startswith("region:") and "proton_regions" in problem


@pytest.mark.parametrize("regions, wrong", [([], "at least one region"), (["us-east-1", "us east 1"], "'us east 1'"),
                                            (["eu-west-1", ""], "''"), (["{{ lookup('pipe', 'id') }}"], "lookup")])
def test_a_bad_list_of_regions_is_named(regions, wrong):
    problem = proton.regions_problem(regions, "us-east-1")
    assert problem.startswith("regions:") and wrong in problem


def test_regions_are_managed_in_order_each_once_else_the_module_region():
    assert proton.regions_problem(["us-east-1", "ap-southeast-2", "us-gov-west-1"], None) is None
    assert proton.settings_regions(["eu-west-1", "us-east-1", "eu-west-1"], "us-east-1") == ["eu-west-1", "us-east-1"]
    assert proton.settings_regions(None, "us-east-1") == ["us-east-1"]
    assert proton.settings_regions(None, None) == []


def test_a_botocore_without_proton_is_unavailable_not_a_region_error(no_endpoint_env, monkeypatch):
    monkeypatch.setattr(boto3.session.Session, "get_available_services", lambda self: ["iam", "sts"])
    assert proton.regions_problem(None, "us-east-1") is None
    with pytest.raises(ProtonUnavailable) as raised:
        proton.proton_client(FakeModule("us-east-1"), "us-east-1")
    assert "UnknownServiceError" in raised.value.message()


# --- the propagation retry ------------------------------------------------------------------------------------------
class CountingSleep:
    def __init__(self):
        self.slept = []

    def __call__(self, seconds):
        self.slept.append(seconds)


def test_validation_errors_are_retried_until_the_role_is_visible(stubbed_proton, monkeypatch):
    client, stubber = stubbed_proton
    sleep = CountingSleep()
    monkeypatch.setattr(proton.time, "sleep", sleep)
    for _attempt in range(2):
        stubber.add_client_error("update_account_settings", service_error_code="ValidationException",
                                 service_message="role is not visible", http_status_code=400)
    stubber.add_response("update_account_settings", {"accountSettings": {"pipelineServiceRoleArn": ROLE}},
                         {"pipelineServiceRoleArn": ROLE})
    settings, retries = update_with_propagation_retry(
        _Retrying(client), "us-east-1", {"pipelineServiceRoleArn": ROLE}, 60)
    assert settings == {"pipelineServiceRoleArn": ROLE} and retries == 2
    assert sleep.slept == [1.0, 2.0]
    stubber.assert_no_pending_responses()


def test_the_retry_is_bounded(stubbed_proton, monkeypatch):
    client, stubber = stubbed_proton
    clock = {"now": 0.0}
    monkeypatch.setattr(proton.time, "monotonic", lambda: clock["now"])
    monkeypatch.setattr(proton.time, "sleep", lambda seconds: clock.update(now=clock["now"] + seconds))
    for _attempt in range(10):
        stubber.add_client_error("update_account_settings", service_error_code="ValidationException",
                                 http_status_code=400)
    with pytest.raises(botocore.exceptions.ClientError):
        update_with_propagation_retry(_Retrying(client), "us-east-1", {"pipelineServiceRoleArn": ROLE}, 5)
    assert clock["now"] <= 5


def test_no_retry_budget_means_one_attempt(stubbed_proton):
    client, stubber = stubbed_proton
    stubber.add_client_error("update_account_settings", service_error_code="ValidationException",
                             http_status_code=400)
    with pytest.raises(botocore.exceptions.ClientError):
        update_with_propagation_retry(_Retrying(client), "us-east-1", {"pipelineServiceRoleArn": ROLE}, 0)
    stubber.assert_no_pending_responses()


class _Retrying:
    """The shape of AnsibleAWSModule's retrying client: operations accept aws_retry."""

    def __init__(self, client):
        self._client = client

    def __getattr__(self, name):
        return retrying(getattr(self._client, name))
