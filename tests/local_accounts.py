"""Fresh, isolated AWS accounts on the local AWS, for every suite (the fixtures are in conftest.py)."""

import random

import boto3

from localaws.accounts import enter_account, environment

REGION = "us-east-1"
DEFAULT_ACCOUNT_ID = "123456789012"  # moto's account for credentials it does not know
# Credentials of that default account, used only to assume roles into new accounts; any key works with moto.
BOOTSTRAP_CREDENTIALS = {"aws_access_key_id": "AKIAPROTONKITTESTS00", "aws_secret_access_key": "testing"}


class Account:
    """A brand-new AWS account on the local AWS, entered with sts:AssumeRole (moto keeps accounts apart)."""

    def __init__(self, local_aws, account_id):
        self.local_aws = local_aws
        self.account_id = account_id
        self.credentials = enter_account(local_aws.url, account_id, region=REGION, session_name="protonkit-tests",
                                         caller=BOOTSTRAP_CREDENTIALS)
        # What botocore (and so every amazon.aws module) reads from the environment.
        self.env = environment(self.credentials, local_aws.url, REGION)

    def client(self, service, region=None, **kwargs):
        """A boto3 client acting as this account (``kwargs`` go to boto3.client, e.g. ``config``)."""
        return boto3.client(service, region_name=region or REGION, endpoint_url=self.local_aws.url,
                            **self.credentials, **kwargs)

    def calls(self, writes_only=False, service=None):
        """The calls made as this account (since the log was last cleared), oldest first."""
        return self.local_aws.calls(account=self.account_id, writes_only=writes_only, service=service)

    def write_calls(self, service=None):
        return self.calls(writes_only=True, service=service)


def new_account_id():
    # Random 12-digit ids, never starting with 0 and never the default account: isolation without resets.
    while True:
        account_id = str(random.randint(100000000000, 999999999999))
        if account_id != DEFAULT_ACCOUNT_ID:
            return account_id
