# -*- coding: utf-8 -*-
# Copyright: Contributors to the protonkit.accounts collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Who the module runs as: account id, partition, and the partition-aware names derived from them."""

try:
    import botocore
except ImportError:
    pass  # AnsibleAWSModule reports a missing botocore

from ansible.module_utils.common.warnings import warn as record_warning

from ansible_collections.amazon.aws.plugins.module_utils.arn import parse_aws_arn
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

SIGNIN_DOMAINS = {
    "aws": "signin.aws.amazon.com",
    "aws-cn": "signin.amazonaws.cn",
    "aws-us-gov": "signin.amazonaws-us-gov.com",
}


def warn(module, message):
    """A warning in the result of ``module``'s task.

    In a module process, as ``AnsibleModule.warn`` records it; not through ``AnsibleAWSModule.warn``: amazon.aws 11
    also copies its warnings into ``exit_json(warnings=...)``, which ansible-core 2.19 and later answer with a
    deprecation warning of their own on every such run. Run in the task's worker (plugin_utils/module_in_worker.py),
    the module object keeps its warnings for the task's result itself.
    """
    if hasattr(module, "warnings_of_the_run"):
        module.warnings_of_the_run.append(message)
    else:
        record_warning(message)


def with_diff_if_asked(module, result):
    """``result`` with its ``diff`` (the states before and after) only in diff mode, where Ansible shows it. A run over
    many accounts keeps every account's result in memory until its record is made; the diff is half of it."""
    if not module._diff:
        result.pop("diff", None)
    return result


def get_caller_account(module, region=None):
    """One sts:GetCallerIdentity: ``dict(account_id, partition, arn, is_root)`` of the credentials in use.
    ``region``: where the call goes when the module has none of its own."""
    sts = module.client("sts", retry_decorator=AWSRetry.jittered_backoff(), **({"region": region} if region else {}))
    try:
        identity = sts.get_caller_identity(aws_retry=True)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        module.fail_json_aws(e, msg="Failed to find out which AWS account the credentials belong to (sts:GetCallerIdentity)")
    return caller_account(identity)


def caller_account(identity):
    """The account facts in a GetCallerIdentity answer; the partition is read from the caller's ARN so that
    China and GovCloud credentials get arn:aws-cn:/arn:aws-us-gov: names without any configuration."""
    arn = identity["Arn"]
    return dict(
        account_of_arn(arn),
        arn=arn,
        # The root user's ARN is arn:<partition>:iam::<account>:root; everything else has a type/name resource.
        is_root=parse_aws_arn(arn)["resource"] == "root",
    )


def account_of_arn(arn):
    """``dict(account_id, partition)`` of an ARN of the account, e.g. of one of its IAM roles."""
    fields = parse_aws_arn(arn)
    return {"account_id": fields["account_id"], "partition": fields["partition"]}


def signin_url(partition, account_id):
    """The console sign-in URL of an account, e.g. https://123456789012.signin.aws.amazon.com/console.

    None for partitions without a public console (the isolated regions): better no URL than a wrong one."""
    domain = SIGNIN_DOMAINS.get(partition)
    return f"https://{account_id}.{domain}/console" if domain else None


def aws_managed_policy_arn(partition, name):
    """The ARN of an AWS managed policy in a partition, e.g. arn:aws-cn:iam::aws:policy/AdministratorAccess."""
    return f"arn:{partition}:iam::aws:policy/{name}"


def iam_arn(partition, account_id, kind, path, name):
    """The ARN an IAM user, group or role gets, known before it exists (check mode predicts with it)."""
    return f"arn:{partition}:iam::{account_id}:{kind}{path}{name}"
