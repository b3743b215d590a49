"""The pure parts of the organization inventory plugin: names, paths, tag matching, the OU tree walk."""

import pytest

from ansible_collections.protonkit.accounts.plugins.inventory.organization import (
    host_name_from_account_name,
    host_names,
    normalize_ou_path,
    ou_group_name,
    tags_match,
)
from ansible_collections.protonkit.accounts.plugins.module_utils import organizations


@pytest.mark.parametrize("account_name, host", [
    ("Prod Workloads (EU)", "prod-workloads-eu"),
    ("payments.prod", "payments.prod"),
    ("team_a--dev", "team_a--dev"),
    ("  Spaces  around ", "spaces-around"),
    ("Ünïcode Accöunt", "unicode-account"),
    ("日本", ""),
    ("a:b,c[d]", "a-b-c-d"),
    ("...", ""),
])
def test_host_name_from_account_name(account_name, host):
    assert host_name_from_account_name(account_name) == host


def test_host_names_by_name_leave_a_clashing_name_to_the_account_that_joined_first():
    accounts = [{"id": "111111111111", "name": "Team A", "joined": 300.0},
                {"id": "222222222222", "name": "team-a", "joined": 100.0},
                {"id": "333333333333", "name": "Solo", "joined": 200.0},
                {"id": "444444444444", "name": "!!!", "joined": 400.0}]
    names, renamed = host_names(accounts, "name")
    assert names == {"111111111111": "team-a-111111111111", "222222222222": "team-a",
                     "333333333333": "solo", "444444444444": "444444444444"}
    assert renamed == [("111111111111", "team-a")]
    # The same names whatever the listing order.
    assert host_names(list(reversed(accounts)), "name") == (names, renamed)


def test_host_names_of_records_cached_without_joined_time_go_by_id():
    accounts = [{"id": "222222222222", "name": "team-a"}, {"id": "111111111111", "name": "Team A"}]
    assert host_names(accounts, "name")[0] == {"111111111111": "team-a", "222222222222": "team-a-222222222222"}


def test_host_names_never_take_a_name_that_another_host_has():
    accounts = [{"id": "111111111111", "name": "prod", "joined": 1.0},
                {"id": "222222222222", "name": "Localhost", "joined": 2.0},
                {"id": "333333333333", "name": "web", "joined": 3.0}]
    taken = {"prod": None, "localhost": None, "web": "333333333333"}  # web: the same account, from another source
    names, renamed = host_names(accounts, "name", taken)
    assert names == {"111111111111": "prod-111111111111", "222222222222": "localhost-222222222222",
                     "333333333333": "web"}
    assert renamed == [("111111111111", "prod"), ("222222222222", "localhost")]


def test_host_names_by_id():
    assert host_names([{"id": "111111111111", "name": "x"}], "id") == ({"111111111111": "111111111111"}, [])


@pytest.mark.parametrize("prefix, path, group", [
    ("ou_", "/Workloads", "ou_workloads"),
    ("ou_", "/Workloads/Prod", "ou_workloads_prod"),
    ("ou_", "/Shared Services/Log-Archive", "ou_shared_services_log_archive"),
    ("org-", "/Sandbox", "org_sandbox"),
    ("", "/2024 Projects", "_2024_projects"),
    ("ou_", "/Équipe Données", "ou_equipe_donnees"),
])
def test_ou_group_name_is_an_identifier(prefix, path, group):
    assert ou_group_name(prefix, path) == group
    assert group.isidentifier()


@pytest.mark.parametrize("path, normal", [
    ("/Workloads/Prod/", "/Workloads/Prod"), ("/Workloads//Prod", "/Workloads/Prod"), ("/", "/"), ("//", "/"),
])
def test_normalize_ou_path(path, normal):
    assert normalize_ou_path(path) == normal


@pytest.mark.parametrize("tag_filters, matches", [
    ({}, True),
    ({"team": "web"}, True),
    ({"team": "data"}, False),
    ({"team": ["data", "web"]}, True),
    ({"team": None}, True),
    ({"team": []}, True),
    ({"owner": None}, False),
    ({"team": "web", "env": "prod"}, True),
    ({"team": "web", "env": "dev"}, False),
    ({"cost": 42}, True),  # YAML numbers compare as the strings tag values are
])
def test_tags_match(tag_filters, matches):
    assert tags_match({"team": "web", "env": "prod", "cost": "42"}, tag_filters) is matches


class FakePagedClient:
    """Answers Organizations List calls from fixed pages, checking the call pattern the plugin promises."""

    def __init__(self, pages):
        self.pages = pages  # {(operation, parent or None): [page, ...]}
        self.requests = []

    def __getattr__(self, operation):
        def call(aws_retry=False, **params):
            assert aws_retry, "every request must go through AWSRetry"
            assert params.get("MaxResults", 20) <= organizations.MAX_RESULTS
            self.requests.append((operation, params))
            pages = self.pages[(operation, params.get("ParentId"))]
            index = int(params.get("NextToken", 0))
            page = dict(pages[index])
            if index + 1 < len(pages):
                page["NextToken"] = str(index + 1)
            return page

        return call


def test_organizational_units_walks_the_whole_tree_with_paths():
    client = FakePagedClient({
        ("list_roots", None): [{"Roots": [{"Id": "r-root", "Name": "Root"}]}],
        ("list_organizational_units_for_parent", "r-root"): [
            {"OrganizationalUnits": [{"Id": "ou-a", "Name": "Workloads"}]},
            {"OrganizationalUnits": [{"Id": "ou-b", "Name": "Sandbox"}]},
        ],
        ("list_organizational_units_for_parent", "ou-a"): [{"OrganizationalUnits": [{"Id": "ou-c", "Name": "Prod"}]}],
        ("list_organizational_units_for_parent", "ou-b"): [{"OrganizationalUnits": []}],
        ("list_organizational_units_for_parent", "ou-c"): [{"OrganizationalUnits": []}],
    })
    units = organizations.organizational_units(client)
    assert {unit_id: unit["path"] for unit_id, unit in units.items()} == {
        "r-root": "/", "ou-a": "/Workloads", "ou-b": "/Sandbox", "ou-c": "/Workloads/Prod"}
    assert organizations.descendants(units, "ou-a") == ["ou-a", "ou-c"]
    assert sorted(organizations.descendants(units, "r-root")) == ["ou-a", "ou-b", "ou-c", "r-root"]
    # The second page of the root's OUs was asked for with the first page's token.
    assert ("list_organizational_units_for_parent",
            {"ParentId": "r-root", "MaxResults": 20, "NextToken": "1"}) in client.requests


def test_account_state_prefers_the_newer_state_field():
    assert organizations.account_state({"Status": "ACTIVE", "State": "PENDING_ACTIVATION"}) == "PENDING_ACTIVATION"
    assert organizations.account_state({"Status": "SUSPENDED"}) == "SUSPENDED"


def test_partition_of():
    assert organizations.partition_of("arn:aws-us-gov:organizations::111111111111:organization/o-abc") == "aws-us-gov"
