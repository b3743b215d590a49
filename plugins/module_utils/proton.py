# -*- coding: utf-8 -*-
# Copyright: Contributors to the protonkit.accounts collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""AWS Proton: the service roles' policy documents, the account settings, and what to say when Proton is gone.

AWS Proton reached end of support on 2026-10-07. Its API is still the contract (botocore's ``proton`` model), but a
call may now meet an endpoint that no longer resolves or no longer knows the operation: ``ProtonUnavailable``.
"""

import os
import time

try:
    import botocore
except ImportError:
    pass

END_OF_SUPPORT = "2026-10-07"
PROTON_SERVICE = "proton.amazonaws.com"
CODEBUILD_SERVICE = "codebuild.amazonaws.com"
POLICY_VERSION = "2012-10-17"
PERMISSIONS_POLICY_NAME = "ProtonProvisioning"

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
            text += (" To manage only the IAM roles, set configure_account_settings: false; to remove the leftover "
                     "Proton roles and settings, use state: absent; or set proton_unavailable: warn to finish the IAM "
                     "work with a warning.")
        return text


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


# --- reaching Proton -----------------------------------------------------------------------------------------------
def custom_endpoint_configured(module):
    return bool(module.params.get("endpoint_url") or os.environ.get("AWS_ENDPOINT_URL_PROTON")
                or os.environ.get("AWS_ENDPOINT_URL"))


def region_problem(module):
    """Why Proton can't be reached in the module's region, known before any call (None when it can be tried)."""
    region = module.region
    if not region:
        return "region: AWS Proton account settings are regional; set region (or AWS_REGION)"
    if custom_endpoint_configured(module):
        return None
    import boto3  # AnsibleAWSModule already required it

    session = boto3.session.Session()
    partition = session.get_partition_for_region(region)
    regions = session.get_available_regions("proton", partition_name=partition)
    if region not in regions:
        return (f"region: botocore knows no AWS Proton endpoint in {region} (partition {partition}); Proton was "
                f"offered in {', '.join(regions) or 'no region of this partition'}. Give endpoint_url if you run a "
                "compatible endpoint, or set configure_account_settings: false.")
    return None


def call_proton(region, operation, **kwargs):
    """Call Proton, turning "nobody answers" into ProtonUnavailable; real Proton errors pass through."""
    try:
        return operation(aws_retry=True, **kwargs)
    except botocore.exceptions.EndpointConnectionError as e:
        raise ProtonUnavailable(region, f"the endpoint {e.kwargs.get('endpoint_url', '')} does not answer") from e
    except botocore.exceptions.ConnectTimeoutError as e:
        raise ProtonUnavailable(region, "connecting to the endpoint timed out") from e
    except botocore.exceptions.ClientError as e:
        code = e.response.get("Error", {}).get("Code", "")
        status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code in GONE_ERROR_CODES or status == 404:
            raise ProtonUnavailable(region, f"{code or status}: {e.response.get('Error', {}).get('Message') or 'no such operation'}") from e
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
