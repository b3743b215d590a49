"""A small AWS Organization on the local AWS, for the demo and the Molecule scenarios.

    python -m localaws.sample_org http://127.0.0.1:PORT     # prints the accounts as JSON

The management account is the local AWS's default account (credentials below); two OUs, three member accounts.
"""

import json
import sys

import boto3

MANAGEMENT_CREDENTIALS = {"aws_access_key_id": "AKIAPROTONKITDEMO000", "aws_secret_access_key": "demo-management"}
REGION = "us-east-1"
LAYOUT = {
    "Development": [("app-dev", "app-dev@example.com")],
    "Production": [("app-prod", "app-prod@example.com"), ("data-prod", "data-prod@example.com")],
}


def create_sample_organization(endpoint_url, layout=None):
    """Create the organization (``layout``: OU name -> [(account name, email)]; default LAYOUT).

    Returns [{name, id, ou}] of the member accounts."""
    layout = layout or LAYOUT
    org = boto3.client("organizations", region_name=REGION, endpoint_url=endpoint_url, **MANAGEMENT_CREDENTIALS)
    org.create_organization(FeatureSet="ALL")
    root_id = org.list_roots()["Roots"][0]["Id"]
    accounts = []
    for ou_name, members in layout.items():
        ou_id = org.create_organizational_unit(ParentId=root_id, Name=ou_name)["OrganizationalUnit"]["Id"]
        for name, email in members:
            status = org.create_account(AccountName=name, Email=email, Tags=[{"Key": "team", "Value": "platform"}])
            account_id = status["CreateAccountStatus"]["AccountId"]
            org.move_account(AccountId=account_id, SourceParentId=root_id, DestinationParentId=ou_id)
            accounts.append({"name": name, "id": account_id, "ou": ou_name})
    return accounts


if __name__ == "__main__":
    print(json.dumps(create_sample_organization(sys.argv[1]), indent=2))
