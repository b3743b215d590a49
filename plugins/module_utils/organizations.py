# -*- coding: utf-8 -*-
# Copyright: Contributors to the protonkit.accounts collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reading an AWS Organization: who manages it, its tree of organizational units, and the accounts in each unit.

Every function takes an Organizations client wrapped with an AWSRetry decorator (``client(..., retry_decorator=)``)
and retries each request on its own, so a throttled page is fetched again without starting the listing over.
"""

from ansible_collections.amazon.aws.plugins.module_utils.arn import parse_aws_arn

# Organizations answers InvalidInputException to List calls asking for more than 20 items per page.
MAX_RESULTS = 20

# Accounts report ``State`` since 2025 (ACTIVE, PENDING_ACTIVATION, SUSPENDED, PENDING_CLOSURE, CLOSED); the older
# ``Status`` (ACTIVE, SUSPENDED, PENDING_CLOSURE) is deprecated but is all that older endpoints send.
ACCOUNT_STATES = ("ACTIVE", "PENDING_ACTIVATION", "SUSPENDED", "PENDING_CLOSURE", "CLOSED")


def paged(call, result_key, **params):
    """Every item of a paged Organizations call, page after page until no NextToken comes back."""
    while True:
        page = call(aws_retry=True, **params)
        yield from page.get(result_key, [])
        token = page.get("NextToken")
        if not token:
            return
        params["NextToken"] = token


def describe_organization(client):
    """The organization the caller belongs to: ``Id``, ``Arn``, ``MasterAccountId``, ..."""
    return client.describe_organization(aws_retry=True)["Organization"]


def partition_of(arn):
    """``aws``, ``aws-cn``, ``aws-us-gov``, ... from any ARN."""
    return parse_aws_arn(arn)["partition"]


def organizational_units(client):
    """Every root and organizational unit, by id: ``dict(id, name, path, parent_id)``.

    The root's path is ``/``; an OU's path is its ancestors' names and its own, like ``/Workloads/Prod``.
    """
    units = {}
    pending = []
    for root in paged(client.list_roots, "Roots", MaxResults=MAX_RESULTS):
        units[root["Id"]] = {"id": root["Id"], "name": root.get("Name", "Root"), "path": "/", "parent_id": None}
        pending.append(root["Id"])
    # Breadth first: a parent's path is known before its children are listed.
    while pending:
        parent_id = pending.pop(0)
        parent_path = units[parent_id]["path"].rstrip("/")
        children = paged(client.list_organizational_units_for_parent, "OrganizationalUnits",
                         ParentId=parent_id, MaxResults=MAX_RESULTS)
        for unit in children:
            units[unit["Id"]] = {
                "id": unit["Id"],
                "name": unit["Name"],
                "path": f"{parent_path}/{unit['Name']}",
                "parent_id": parent_id,
            }
            pending.append(unit["Id"])
    return units


def descendants(units, unit_id):
    """``unit_id`` and the ids of every unit below it, at any depth."""
    found = [unit_id]
    for candidate in found:  # grows while iterating: a breadth-first walk
        found.extend(child for child, unit in units.items() if unit["parent_id"] == candidate)
    return found


def accounts_in(client, parent_id):
    """The accounts directly in a root or OU (not in the units below it), as Organizations describes them."""
    return list(paged(client.list_accounts_for_parent, "Accounts", ParentId=parent_id, MaxResults=MAX_RESULTS))


def account_state(account):
    """The account's lifecycle state: the newer ``State`` when the endpoint sends it, else ``Status``."""
    return account.get("State") or account.get("Status")


def account_tags(client, account_id):
    """The account's tags as a dict (ListTagsForResource pages by NextToken only)."""
    return {tag["Key"]: tag["Value"] for tag in paged(client.list_tags_for_resource, "Tags", ResourceId=account_id)}
