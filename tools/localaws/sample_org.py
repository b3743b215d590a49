"""AWS Organizations on the local AWS: ``Organization`` builds any (the tests' own), ``create_sample_organization``
the small one of the demo and the Molecule scenarios.

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


class Organization:
    """An AWS Organization built with boto3 through ``client`` (an ``organizations`` client of the management
    account): nested OUs by path, member accounts with tags."""

    def __init__(self, client):
        self.client = client
        self.client.create_organization(FeatureSet="ALL")
        self.root_id = self.client.list_roots()["Roots"][0]["Id"]
        self.ou_ids = {"/": self.root_id}

    def ou(self, path):
        """The id of the OU at ``path`` (like /Workloads/Prod), created with its parents when missing."""
        if path not in self.ou_ids:
            parent, _separator, name = path.rpartition("/")
            self.ou_ids[path] = self.unit(name, parent or "/")
        return self.ou_ids[path]

    def unit(self, name, parent="/"):
        """A new OU of any name (one with a "/" too) under the OU at path ``parent``; returns its id."""
        unit = self.client.create_organizational_unit(ParentId=self.ou(parent), Name=name)
        return unit["OrganizationalUnit"]["Id"]

    def member(self, name, ou="/", tags=None, email=None):
        """A new member account in ``ou`` (an OU's path, or an id from ``unit``); returns its id."""
        status = self.client.create_account(
            AccountName=name, Email=email or f"{name.replace(' ', '.')}@example.com",
            Tags=[{"Key": key, "Value": value} for key, value in (tags or {}).items()],
        )["CreateAccountStatus"]
        account_id = status["AccountId"]
        if ou != "/":
            self.client.move_account(AccountId=account_id, SourceParentId=self.root_id,
                                     DestinationParentId=self.ou(ou) if ou.startswith("/") else ou)
        return account_id


def create_sample_organization(endpoint_url, layout=None):
    """Create the organization (``layout``: OU name -> [(account name, email)]; default LAYOUT).

    Returns [{name, id, ou}] of the member accounts."""
    org = Organization(boto3.client("organizations", region_name=REGION, endpoint_url=endpoint_url,
                                    **MANAGEMENT_CREDENTIALS))
    return [{"name": name, "id": org.member(name, f"/{ou_name}", {"team": "platform"}, email), "ou": ou_name}
            for ou_name, members in (layout or LAYOUT).items() for name, email in members]


if __name__ == "__main__":
    print(json.dumps(create_sample_organization(sys.argv[1]), indent=2))
