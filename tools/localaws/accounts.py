"""Entering an account of the local AWS, as the tests, the demo and the benchmark do: the credentials of the role
an organization makes in each member account, assumed with the caller's (moto keeps the accounts apart)."""

import boto3

ENTRY_ROLE = "OrganizationAccountAccessRole"
# Any key works with moto: credentials it does not know act as its default account.
DEFAULT_CALLER = {"aws_access_key_id": "AKIALOCALAWS00000000", "aws_secret_access_key": "localaws"}


def enter_account(endpoint_url, account_id, *, region="us-east-1", session_name="localaws", caller=None):
    """boto3 credential arguments (``aws_access_key_id``, ...) that act as ``account_id``: its ENTRY_ROLE assumed
    with ``caller``'s credentials (boto3 arguments too; default: moto's default account)."""
    sts = boto3.client("sts", region_name=region, endpoint_url=endpoint_url, **(caller or DEFAULT_CALLER))
    credentials = sts.assume_role(RoleArn=f"arn:aws:iam::{account_id}:role/{ENTRY_ROLE}",
                                  RoleSessionName=session_name)["Credentials"]
    return {"aws_access_key_id": credentials["AccessKeyId"],
            "aws_secret_access_key": credentials["SecretAccessKey"],
            "aws_session_token": credentials["SessionToken"]}


def environment(credentials, endpoint_url, region):
    """The same credentials as the AWS_* variables botocore (and so every amazon.aws module) reads."""
    variables = {"AWS_ACCESS_KEY_ID": credentials["aws_access_key_id"],
                 "AWS_SECRET_ACCESS_KEY": credentials["aws_secret_access_key"]}
    if credentials.get("aws_session_token"):
        variables["AWS_SESSION_TOKEN"] = credentials["aws_session_token"]
    variables.update(AWS_REGION=region, AWS_DEFAULT_REGION=region, AWS_ENDPOINT_URL=endpoint_url)
    return variables
