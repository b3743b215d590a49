"""Partition-aware names derived from the caller's identity (plugins/module_utils/account.py)."""

import pytest

from ansible_collections.protonkit.accounts.plugins.module_utils.account import aws_managed_policy_arn
from ansible_collections.protonkit.accounts.plugins.module_utils.account import caller_account
from ansible_collections.protonkit.accounts.plugins.module_utils.account import iam_arn
from ansible_collections.protonkit.accounts.plugins.module_utils.account import signin_url

ACCOUNT = "123456789012"


@pytest.mark.parametrize("arn, partition, is_root", [
    (f"arn:aws:sts::{ACCOUNT}:assumed-role/OrganizationAccountAccessRole/ci", "aws", False),
    (f"arn:aws-cn:iam::{ACCOUNT}:user/deploy", "aws-cn", False),
    (f"arn:aws-us-gov:sts::{ACCOUNT}:assumed-role/Admin/session", "aws-us-gov", False),
    (f"arn:aws:iam::{ACCOUNT}:root", "aws", True),
    (f"arn:aws-cn:iam::{ACCOUNT}:root", "aws-cn", True),
    (f"arn:aws:iam::{ACCOUNT}:user/root", "aws", False),  # an IAM user *named* root is not the root user
])
def test_caller_account_reads_partition_and_root_from_the_arn(arn, partition, is_root):
    account = caller_account({"Account": ACCOUNT, "Arn": arn, "UserId": "AIDAEXAMPLE"})
    assert account == {"account_id": ACCOUNT, "partition": partition, "arn": arn, "is_root": is_root}


@pytest.mark.parametrize("partition, url", [
    ("aws", f"https://{ACCOUNT}.signin.aws.amazon.com/console"),
    ("aws-cn", f"https://{ACCOUNT}.signin.amazonaws.cn/console"),
    ("aws-us-gov", f"https://{ACCOUNT}.signin.amazonaws-us-gov.com/console"),
])
def test_signin_url_per_partition(partition, url):
    assert signin_url(partition, ACCOUNT) == url


@pytest.mark.parametrize("partition", ["aws", "aws-cn", "aws-us-gov"])
def test_aws_managed_policy_arn_uses_the_partition(partition):
    assert aws_managed_policy_arn(partition, "AdministratorAccess") == \
        f"arn:{partition}:iam::aws:policy/AdministratorAccess"


@pytest.mark.parametrize("kind, path, name, expected", [
    ("role", "/", "Admin", f"arn:aws-cn:iam::{ACCOUNT}:role/Admin"),
    ("role", "/service-role/", "ProtonServiceRole", f"arn:aws-cn:iam::{ACCOUNT}:role/service-role/ProtonServiceRole"),
    ("user", "/", "Administrator", f"arn:aws-cn:iam::{ACCOUNT}:user/Administrator"),
    ("group", "/admins/", "Administrators", f"arn:aws-cn:iam::{ACCOUNT}:group/admins/Administrators"),
])
def test_iam_arn_predicts_the_arn_iam_assigns(kind, path, name, expected):
    assert iam_arn("aws-cn", ACCOUNT, kind, path, name) == expected


def test_signin_url_is_none_where_there_is_no_public_console():
    assert signin_url("aws-iso", ACCOUNT) is None
