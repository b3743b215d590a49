# -*- coding: utf-8 -*-
# Copyright: Contributors to the protonkit.accounts collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""AWS Proton: the service roles' policy documents, the account settings, and what to say when Proton is gone.

AWS Proton reached end of support on 2026-10-07. Its API is still the contract (botocore's ``proton`` model), but a
call may now meet an endpoint that no longer resolves or no longer knows the operation: ``ProtonUnavailable``.
"""

import json
import os
import re
import time

try:
    import botocore
except ImportError:
    pass  # AnsibleAWSModule reports a missing botocore

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

END_OF_SUPPORT = "2026-10-07"
PROTON_SERVICE = "proton.amazonaws.com"
CODEBUILD_SERVICE = "codebuild.amazonaws.com"
POLICY_VERSION = "2012-10-17"
PERMISSIONS_POLICY_NAME = "ProtonProvisioning"
# The permissions modes that write the inline policy PERMISSIONS_POLICY_NAME (administrator attaches a managed one).
INLINE_POLICY_MODES = ("console", "scoped")

# What the Proton console lets its service role do with CloudFormation stacks it owns (named AWSProton-*).
CLOUDFORMATION_STACK_ACTIONS = sorted([
    "cloudformation:CancelUpdateStack",
    "cloudformation:ContinueUpdateRollback",
    "cloudformation:CreateChangeSet",
    "cloudformation:CreateStack",
    "cloudformation:DeleteChangeSet",
    "cloudformation:DeleteStack",
    "cloudformation:DescribeChangeSet",
    "cloudformation:DescribeStackDriftDetectionStatus",
    "cloudformation:DescribeStackEvents",
    "cloudformation:DescribeStackResourceDrifts",
    "cloudformation:DescribeStacks",
    "cloudformation:DetectStackResourceDrift",
    "cloudformation:ExecuteChangeSet",
    "cloudformation:ListChangeSets",
    "cloudformation:ListStackResources",
    "cloudformation:UpdateStack",
])
CALLED_VIA_CLOUDFORMATION = {"ForAnyValue:StringEquals": {"aws:CalledVia": ["cloudformation.amazonaws.com"]}}

# IAM action prefixes are lowercase words with digits and dashes (s3, lambda, elasticloadbalancing, route53-recovery...).
SERVICE_PREFIX = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# Proton's repository names are owner/repository (botocore's model: [A-Za-z0-9_.-].*/[A-Za-z0-9_.-].*).
REPOSITORY_NAME = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
REPOSITORY_KEYS = ("provider", "name", "branch")

# Errors that mean "nobody answers for Proton here any more", as opposed to "Proton refused this request".
GONE_ERROR_CODES = ("UnknownOperationException", "UnrecognizedClientException", "InvalidAction", "404", "403")


class ProtonUnavailable(Exception):
    """Proton did not answer the operation (end of support, no endpoint); ``reason`` says what happened."""

    def __init__(self, region, reason):
        super().__init__(reason)
        self.region = region
        self.reason = reason

    def message(self, hint=True):
        text = (f"AWS Proton did not answer in {self.region} ({self.reason}). AWS Proton reached end of support on "
                f"{END_OF_SUPPORT} and its API is no longer available.")
        if hint:
            text += " " + UNAVAILABLE_HINT
        return text


# Passed to the module with -e, a module option is silently ignored by the playbooks: so every way on names the
# playbook variable first and the module option second.
UNAVAILABLE_HINT = (
    "To finish the IAM work with a warning, set proton_roles_unavailable=warn (module option proton_unavailable: warn); "
    "to manage only the IAM roles, set proton_roles_configure_account_settings=false (module option "
    "configure_account_settings: false); to skip the Proton half of bootstrap.yml altogether, leave "
    "account_bootstrap_proton_roles false (its default); to remove the leftover Proton roles and settings, run the "
    "protonkit.accounts.teardown playbook (module option state: absent).")


# --- policy documents --------------------------------------------------------------------------------------------
def trust_policy(service, account_id, partition):
    """Trust for an AWS service principal with confused-deputy protection.

    The AWS Proton guide prints the source ARN as ``arn:aws::proton:...`` (empty service field), which never
    matches anything; the well-formed ``arn:<partition>:proton:*:<account>:*`` is used instead.
    """
    condition = {"StringEquals": {"aws:SourceAccount": account_id}}
    if service == PROTON_SERVICE:
        condition["ArnLike"] = {"aws:SourceArn": f"arn:{partition}:proton:*:{account_id}:*"}
    return {
        "Version": POLICY_VERSION,
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": service},
            "Action": "sts:AssumeRole",
            "Condition": condition,
        }],
    }


def cloudformation_statement(account_id, partition):
    return {
        "Sid": "ProtonStacks",
        "Effect": "Allow",
        "Action": CLOUDFORMATION_STACK_ACTIONS,
        "Resource": f"arn:{partition}:cloudformation:*:{account_id}:stack/AWSProton-*",
    }


def permissions_policy(permissions, account_id, partition, allowed_services=None):
    """The inline permissions policy of a Proton service role for a ``permissions`` mode (None: no inline policy)."""
    statements = [cloudformation_statement(account_id, partition)]
    if permissions == "console":
        statements += [
            {"Sid": "ResourcesThroughCloudFormation", "Effect": "Allow", "NotAction": ["organizations:*", "account:*"],
             "Resource": "*", "Condition": CALLED_VIA_CLOUDFORMATION},
            {"Sid": "OrganizationAndRegionsThroughCloudFormation", "Effect": "Allow",
             "Action": ["organizations:DescribeOrganization", "account:ListRegions"], "Resource": "*",
             "Condition": CALLED_VIA_CLOUDFORMATION},
        ]
    elif permissions == "scoped":
        statements.append({
            "Sid": "ListedServicesThroughCloudFormation", "Effect": "Allow",
            "Action": sorted(f"{service}:*" for service in set(allowed_services or [])),
            "Resource": "*", "Condition": CALLED_VIA_CLOUDFORMATION,
        })
    else:
        return None
    return {"Version": POLICY_VERSION, "Statement": statements}


# --- input ---------------------------------------------------------------------------------------------------------
def permissions_problem(permissions, allowed_services):
    """A message naming the option to fix when ``permissions`` and ``allowed_services`` don't fit together."""
    if permissions == "scoped" and not allowed_services:
        return ("allowed_services: permissions: scoped needs the services the roles may use through CloudFormation, "
                "for example allowed_services: [s3, lambda]")
    if permissions != "scoped" and allowed_services:
        return (f"allowed_services: only used with permissions: scoped (got permissions: {permissions}); set "
                "permissions: scoped or leave allowed_services out")
    for service in allowed_services or []:
        if not SERVICE_PREFIX.match(service or ""):
            return (f"allowed_services: {service!r} is not a service prefix; use the lowercase prefix of IAM actions, "
                    "such as s3, lambda or dynamodb")
    return None


def inline_policies_problem(permissions, inline_policies):
    """Decode ``inline_policies`` (documents as dicts or JSON text). Returns (documents, problem message)."""
    documents = {}
    for name, document in (inline_policies or {}).items():
        if name == PERMISSIONS_POLICY_NAME and permissions in INLINE_POLICY_MODES:
            return None, (f"inline_policies: {name!r} is the policy this module writes for permissions: {permissions}; "
                          "choose another name, or permissions: custom to write it yourself")
        if isinstance(document, str):
            try:
                document = json.loads(document)
            except ValueError as e:
                return None, f"inline_policies: {name!r} is not valid JSON ({e})"
        if not isinstance(document, dict) or "Statement" not in document:
            return None, f"inline_policies: {name!r} must be a policy document with a Statement"
        documents[name] = document
    return documents, None


def repository_problem(repository):
    """A message naming the suboption to fix in ``pipeline_provisioning_repository`` (None: fine, or {} to remove)."""
    if not repository:
        return None
    missing = [key for key in REPOSITORY_KEYS if not repository.get(key)]
    if missing and len(missing) < len(REPOSITORY_KEYS):
        return (f"pipeline_provisioning_repository: {', '.join(missing)} missing; give provider, name and branch to set "
                "the repository, or {} to remove it")
    if not missing and not REPOSITORY_NAME.match(repository["name"]):
        return (f"pipeline_provisioning_repository.name: {repository['name']!r} must be 'owner/repository' (letters, "
                "digits, '_', '.', '-')")
    if not missing and len(repository["branch"]) > 200:
        return "pipeline_provisioning_repository.branch: at most 200 characters"
    return None


def desired_settings(pipeline_role_arn, codebuild_role_arn, repository):
    """The account settings to reach: the role ARNs, and the repository when given ({} or all unset: remove it)."""
    desired = {"pipelineServiceRoleArn": pipeline_role_arn}
    if codebuild_role_arn:
        desired["pipelineCodebuildRoleArn"] = codebuild_role_arn
    if repository is not None:
        desired["pipelineProvisioningRepository"] = (
            {key: repository[key] for key in REPOSITORY_KEYS} if any(repository.values()) else {})
    return desired


# --- reaching Proton -----------------------------------------------------------------------------------------------
def custom_endpoint_configured(module):
    return bool(module.params.get("endpoint_url") or os.environ.get("AWS_ENDPOINT_URL_PROTON")
                or os.environ.get("AWS_ENDPOINT_URL"))


def proton_model_available():
    """Whether this botocore still carries the ``proton`` service model (a later release may drop it)."""
    import boto3  # AnsibleAWSModule already required it

    return "proton" in boto3.session.Session().get_available_services()


REGION_NAME = re.compile(r"^[a-z]{2,4}(-[a-z]+)+-[0-9]+$")  # us-east-1, us-gov-west-1, eusc-de-east-1


def settings_regions(regions, region):
    """The regions whose account settings a run manages: ``regions`` in order, each once, else ``region`` alone."""
    if regions:
        return list(dict.fromkeys(regions))
    return [region] if region else []


def regions_problem(regions, region):
    """What is wrong with the regions, known before any call (None when nothing is)."""
    if regions is None:
        if not region:
            return ("region: AWS Proton account settings are regional; set region or regions (playbook variable "
                    "proton_regions, or AWS_REGION)")
        return None
    if not regions:
        return "regions: give at least one region, or omit regions to manage the settings of region alone"
    for name in regions:
        if not REGION_NAME.match(name or ""):
            return f"regions: {name!r} is not a region name; use names like us-east-1"
    return None


def endpoint_missing(module, region):
    """ProtonUnavailable when botocore lists no Proton endpoint for ``region`` (None when one can be tried).

    botocore's endpoint data is the list of regions Proton was ever offered in; China and GovCloud never had it.
    That is one more way of Proton not answering, so it is handled by ``proton_unavailable`` like the others.
    A custom endpoint is taken at its word; a botocore without the model is reported by ``proton_client``.
    """
    if custom_endpoint_configured(module) or not proton_model_available():
        return None
    import boto3

    session = boto3.session.Session()
    partition = session.get_partition_for_region(region)
    regions = session.get_available_regions("proton", partition_name=partition)
    if region in regions:
        return None
    return ProtonUnavailable(region, f"botocore knows no AWS Proton endpoint in {region} (partition {partition}; "
                                     f"Proton was offered in {', '.join(regions) or 'no region of this partition'}); "
                                     "give endpoint_url if you run a compatible endpoint")


def proton_client(module, region):
    """The Proton client (throttling retried), or ProtonUnavailable when this botocore no longer knows Proton or
    lists no Proton endpoint in ``region``: raised before any call, so nothing has been written yet."""
    if not proton_model_available():
        raise ProtonUnavailable(region, "this botocore has no AWS Proton service model (UnknownServiceError)")
    missing = endpoint_missing(module, region)
    if missing is not None:
        raise missing
    return module.client("proton", region=region, retry_decorator=AWSRetry.jittered_backoff(
        catch_extra_error_codes=["InternalServerException", "ThrottlingException"]))


def call_proton(region, operation, **kwargs):
    """Call Proton, turning "nobody answers" into ProtonUnavailable; real Proton errors pass through."""
    try:
        return operation(aws_retry=True, **kwargs)
    except (botocore.exceptions.EndpointConnectionError, botocore.exceptions.ConnectTimeoutError) as e:
        raise ProtonUnavailable(region, f"the endpoint {e.kwargs.get('endpoint_url', '')} does not answer") from e
    except (botocore.exceptions.UnknownEndpointError, botocore.exceptions.EndpointResolutionError) as e:
        raise ProtonUnavailable(region, f"no endpoint: {e}") from e
    except botocore.exceptions.UnknownServiceError as e:
        raise ProtonUnavailable(region, "this botocore has no AWS Proton service model (UnknownServiceError)") from e
    except botocore.exceptions.ClientError as e:
        error = e.response.get("Error", {})
        code = error.get("Code", "")
        status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        # A decommissioned endpoint answers 404/403 without an AWS error body: botocore's code is then the status.
        if code in GONE_ERROR_CODES or status == 404:
            raise ProtonUnavailable(region, f"{code or status}: {error.get('Message') or 'no such operation'}") from e
        raise


# --- account settings ----------------------------------------------------------------------------------------------
def read_account_settings(client, region):
    return call_proton(region, client.get_account_settings).get("accountSettings", {})


def settings_update(current, desired):
    """The UpdateAccountSettings arguments that turn ``current`` into ``desired`` (empty: nothing to do).

    ``desired`` keys: pipelineServiceRoleArn / pipelineCodebuildRoleArn (a value, "" to clear, absent to leave),
    pipelineProvisioningRepository ({provider, name, branch}, {} to remove, absent to leave).
    """
    update = {}
    for key in ("pipelineServiceRoleArn", "pipelineCodebuildRoleArn"):
        if key in desired and desired[key] != current.get(key, ""):
            update[key] = desired[key]
    if "pipelineProvisioningRepository" in desired:
        wanted, have = desired["pipelineProvisioningRepository"], current.get("pipelineProvisioningRepository")
        if not wanted:
            if have:
                update["deletePipelineProvisioningRepository"] = True
        elif not have or any(have.get(k) != wanted[k] for k in ("provider", "name", "branch")):
            update["pipelineProvisioningRepository"] = dict(wanted)
    return update


def predicted_settings(current, update, account_id, region, partition):
    after = dict(current)
    for key in ("pipelineServiceRoleArn", "pipelineCodebuildRoleArn"):
        if key in update:
            if update[key]:
                after[key] = update[key]
            else:
                after.pop(key, None)
    if update.get("deletePipelineProvisioningRepository"):
        after.pop("pipelineProvisioningRepository", None)
    if "pipelineProvisioningRepository" in update:
        repository = update["pipelineProvisioningRepository"]
        after["pipelineProvisioningRepository"] = dict(
            repository,
            arn=f"arn:{partition}:proton:{region}:{account_id}:repository/{repository['provider'].lower()}:{repository['name']}",
        )
    return after


def update_with_propagation_retry(client, region, update, retry_seconds):
    """UpdateAccountSettings, retrying the ValidationException a just-created role gets while IAM propagates it.

    Bounded: gives up after ``retry_seconds`` and raises the last error. Returns (settings, retries).
    """
    deadline = time.monotonic() + retry_seconds
    delay, retries = 1.0, 0
    while True:
        try:
            return call_proton(region, client.update_account_settings, **update)["accountSettings"], retries
        except botocore.exceptions.ClientError as e:
            if e.response.get("Error", {}).get("Code") != "ValidationException" or time.monotonic() + delay > deadline:
                raise
        time.sleep(delay)
        retries += 1
        delay = min(delay * 2, 8.0)
