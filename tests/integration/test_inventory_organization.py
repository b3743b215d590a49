"""protonkit.accounts.organization through a real ``ansible-inventory``, against organizations on the local AWS.

Each test makes its own organization: the ``aws_account`` fixture is a brand-new account, which becomes the
management account (moto keeps Organizations state per account).
"""

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

from localaws.sample_org import Organization

REPO = Path(__file__).resolve().parents[2]
COLLECTIONS = REPO / ".build" / "collections"
PLUGIN = "protonkit.accounts.organization"
ORG_READS = ("DescribeOrganization", "ListRoots", "ListOrganizationalUnitsForParent", "ListAccountsForParent",
             "ListTagsForResource", "ListAccounts", "ListChildren")


# --- building organizations ----------------------------------------------------------------------------------------
@pytest.fixture
def org(aws_account):
    """An organization managed by ``aws_account``, built with boto3 as that account."""
    return Organization(aws_account.client("organizations"))


# --- running ansible-inventory -------------------------------------------------------------------------------------
class Inventory:
    def __init__(self, proc):
        self.rc = proc.returncode
        self.output = proc.stdout + proc.stderr
        self.data = _plain(json.loads(proc.stdout)) if proc.returncode == 0 and proc.stdout.strip() else {}

    @property
    def hostvars(self):
        return self.data.get("_meta", {}).get("hostvars", {})

    @property
    def hosts(self):
        return set(self.hostvars)

    def group_hosts(self, group):
        return set(self.data.get(group, {}).get("hosts", []))

    def children(self, group):
        return set(self.data.get(group, {}).get("children", []))

    def members(self, group):
        """Hosts of ``group`` and of every group below it."""
        found = self.group_hosts(group)
        for child in self.children(group):
            found |= self.members(child)
        return found


def _plain(value):
    """ansible-inventory 2.19 marks plugin-provided strings {"__ansible_unsafe": ...}: the values themselves."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


@pytest.fixture
def inventory(tmp_path):
    """``inventory(config, aws_env, file_name=..., enable=True, extra_args=(), env=None, before=()) -> Inventory``

    ``before``: inventory sources parsed before the plugin's."""

    def _run(config, aws_env, file_name="accounts.aws_org.yml", enable=True, extra_args=(), env=None, before=()):
        source = tmp_path / file_name
        source.write_text(yaml.safe_dump({"plugin": PLUGIN, **config}) if isinstance(config, dict) else config)
        run_env = dict(os.environ)
        run_env.update(aws_env)
        run_env.update(
            ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS),
            ANSIBLE_INVENTORY_UNPARSED_FAILED="1",  # a plugin error fails the command instead of a warning
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"),
        )
        if enable:
            run_env["ANSIBLE_INVENTORY_ENABLED"] = PLUGIN
        run_env.update(env or {})
        sources = [argument for path in [*before, source] for argument in ("-i", str(path))]
        cmd = [str(Path(sys.executable).with_name("ansible-inventory")), *sources, "--list", *extra_args]
        return Inventory(subprocess.run(cmd, capture_output=True, text=True, env=run_env, cwd=tmp_path, check=False))

    return _run


def org_calls(local_aws, account, action=None):
    return [call for call in local_aws.calls(account=account.account_id, service="organizations", action=action)
            if call["action"] in ORG_READS]


# --- paging --------------------------------------------------------------------------------------------------------
def test_every_page_of_a_large_organization_is_listed(local_aws, aws_account, org, inventory):
    members = {org.member(f"member {n:02}") for n in range(21)}
    members |= {org.member(f"prod {n:02}", ou="/Workloads/Prod") for n in range(21)}
    local_aws.clear_calls()

    run = inventory({"hostname_source": "id"}, aws_account.env)

    assert run.rc == 0, run.output
    assert run.hosts == members
    # Root: 21 members + the management account; Prod: 21. At most 20 per page (the local AWS rejects
    # MaxResults > 20 like AWS does), so every NextToken was followed.
    pages = Counter(call["action"] for call in org_calls(local_aws, aws_account))
    assert pages["ListAccountsForParent"] == 2 + 1 + 2  # root, /Workloads (empty), /Workloads/Prod
    assert all(call["status"] == 200 for call in org_calls(local_aws, aws_account))


def test_organizational_unit_pages_are_followed(local_aws, aws_account, org, inventory):
    for n in range(21):  # 21 OUs under /Teams: two pages of ListOrganizationalUnitsForParent
        org.ou(f"/Teams/T{n:02}")
    first, last = org.member("first", ou="/Teams/T00"), org.member("last", ou="/Teams/T20")
    local_aws.clear_calls()

    run = inventory({"organizational_units": ["/Teams"]}, aws_account.env)

    assert run.rc == 0, run.output
    assert run.hosts == {"first", "last"}
    assert run.hostvars["last"]["aws_ou_path"] == "/Teams/T20"
    assert run.hostvars["last"]["aws_account_id"] == last and run.hostvars["first"]["aws_account_id"] == first
    pages = Counter(call["action"] for call in org_calls(local_aws, aws_account))
    assert pages["ListOrganizationalUnitsForParent"] == 1 + 2 + 21  # root, /Teams (2 pages), each T


# --- filters -------------------------------------------------------------------------------------------------------
@pytest.fixture
def tree(org):
    """/ (a), /Workloads (w), /Workloads/Prod (p1, p2), /Workloads/Prod/EU (e), /Sandbox (s): names to ids."""
    return {
        "a": org.member("a"),
        "w": org.member("w", ou="/Workloads"),
        "p1": org.member("p1", ou="/Workloads/Prod"),
        "p2": org.member("p2", ou="/Workloads/Prod"),
        "e": org.member("e", ou="/Workloads/Prod/EU"),
        "s": org.member("s", ou="/Sandbox"),
    }


def test_whole_organization_by_default(aws_account, tree, inventory):
    run = inventory({}, aws_account.env)
    assert run.rc == 0, run.output
    assert run.hosts == set(tree)


@pytest.mark.parametrize("units, expected", [
    (["/Workloads/Prod"], {"p1", "p2", "e"}),
    (["/Workloads/Prod/"], {"p1", "p2", "e"}),
    (["/Sandbox", "/Workloads/Prod/EU"], {"s", "e"}),
    (["/"], {"a", "w", "p1", "p2", "e", "s"}),
])
def test_ou_filter_by_path_is_recursive(aws_account, tree, inventory, units, expected):
    run = inventory({"organizational_units": units}, aws_account.env)
    assert run.rc == 0, run.output
    assert run.hosts == expected


def test_ou_filter_by_id_is_recursive_and_overlaps_are_listed_once(aws_account, org, tree, inventory):
    run = inventory({"organizational_units": [org.ou("/Workloads"), "/Workloads/Prod"]}, aws_account.env)
    assert run.rc == 0, run.output
    assert run.hosts == {"w", "p1", "p2", "e"}
    root_run = inventory({"organizational_units": [org.root_id]}, aws_account.env)
    assert root_run.hosts == set(tree)


@pytest.mark.parametrize("unit", ["/Workloads/Staging", "/workloads", "ou-zzzz-zzzzzzzz"])
def test_unknown_ou_is_an_error_naming_the_option(aws_account, tree, inventory, unit):
    run = inventory({"organizational_units": [unit]}, aws_account.env)
    assert run.rc != 0
    assert "organizational_units" in run.output and unit.rstrip("/") in run.output


def test_include_and_exclude_account_ids(aws_account, tree, inventory):
    run = inventory({"include_accounts": [tree["p1"], tree["p2"], tree["s"]], "exclude_accounts": [tree["p2"]]},
                    aws_account.env)
    assert run.rc == 0, run.output
    assert run.hosts == {"p1", "s"}


def test_include_of_an_unknown_account_warns(aws_account, tree, inventory):
    run = inventory({"include_accounts": [tree["a"], "999999999999"]}, aws_account.env)
    assert run.rc == 0, run.output
    assert run.hosts == {"a"}
    assert "999999999999" in run.output and "not listed" in run.output


def test_tag_filters(local_aws, aws_account, org, inventory):
    org.member("web", tags={"team": "web", "env": "prod"})
    org.member("web-dev", tags={"team": "web", "env": "dev"})
    org.member("data", tags={"team": "data", "env": "prod"})
    org.member("untagged")

    assert inventory({"tag_filters": {"team": "web"}}, aws_account.env).hosts == {"web", "web-dev"}
    assert inventory({"tag_filters": {"team": "web", "env": "prod"}}, aws_account.env).hosts == {"web"}
    assert inventory({"tag_filters": {"env": ["prod", "staging"]}}, aws_account.env).hosts == {"web", "data"}
    any_team = inventory({"tag_filters": {"team": None}}, aws_account.env)
    assert any_team.hosts == {"web", "web-dev", "data"}
    # Tags read for the filter are also the host's tags.
    assert any_team.hostvars["data"]["aws_account_tags"] == {"team": "data", "env": "prod"}


def test_tags_are_read_only_when_asked(local_aws, aws_account, org, inventory):
    org.member("web", tags={"team": "web"})
    local_aws.clear_calls()
    run = inventory({}, aws_account.env)
    assert run.hostvars["web"]["aws_account_tags"] == {}
    assert org_calls(local_aws, aws_account, action="ListTagsForResource") == []

    run = inventory({"include_tags": True}, aws_account.env)
    assert run.hostvars["web"]["aws_account_tags"] == {"team": "web"}
    assert len(org_calls(local_aws, aws_account, action="ListTagsForResource")) == 1


def test_suspended_accounts_are_left_out_unless_asked(aws_account, org, inventory):
    org.member("active")
    org.client.close_account(AccountId=org.member("closed"))

    assert inventory({}, aws_account.env).hosts == {"active"}
    run = inventory({"states": ["ACTIVE", "SUSPENDED"]}, aws_account.env)
    assert run.hosts == {"active", "closed"}
    assert run.hostvars["closed"]["aws_account_state"] == "SUSPENDED"
    assert inventory({"states": ["SUSPENDED"]}, aws_account.env).hosts == {"closed"}


def test_management_account_is_left_out_unless_asked(aws_account, org, inventory):
    org.member("member")
    assert inventory({}, aws_account.env).hosts == {"member"}

    run = inventory({"include_management_account": True, "hostname_source": "id"}, aws_account.env)
    assert aws_account.account_id in run.hosts and len(run.hosts) == 2
    assert run.hostvars[aws_account.account_id]["aws_account_is_management"] is True


# --- hosts, variables and groups -----------------------------------------------------------------------------------
def test_host_names_are_sanitized_account_names_or_ids(aws_account, org, inventory):
    eu = org.member("Prod Workloads (EU)")
    team_a = org.member("Team A")
    team_a_too = org.member("team-a")

    run = inventory({}, aws_account.env)
    assert run.rc == 0, run.output
    # The account that joined first keeps the name; the later one is told apart by its id.
    assert run.hosts == {"prod-workloads-eu", "team-a", f"team-a-{team_a_too}"}
    assert run.hostvars["team-a"]["aws_account_id"] == team_a
    assert f"account {team_a_too} would be named team-a" in run.output  # the clash is reported

    assert inventory({"hostname_source": "id"}, aws_account.env).hosts == {eu, team_a, team_a_too}


def test_a_newcomer_never_renames_an_existing_host(aws_account, org, inventory):
    prod = org.member("prod")
    assert inventory({}, aws_account.env).hosts == {"prod"}

    newcomer = org.member("Prod")  # joins later, or an account renamed to "Prod"
    run = inventory({}, aws_account.env)

    assert run.rc == 0, run.output
    assert run.hosts == {"prod", f"prod-{newcomer}"}
    assert run.hostvars["prod"]["aws_account_id"] == prod
    assert run.hostvars[f"prod-{newcomer}"]["aws_account_id"] == newcomer


def test_hosts_of_other_sources_and_localhost_keep_their_names(aws_account, org, inventory, tmp_path):
    static = tmp_path / "static.yml"
    static.write_text(yaml.safe_dump({"all": {"hosts": {"web": {"owner": "static"}}}}))
    web = org.member("Web")
    localhost = org.member("localhost")
    org.member("data")

    run = inventory({}, aws_account.env, enable=False, before=[static])

    assert run.rc == 0, run.output
    assert run.hosts == {"web", f"web-{web}", f"localhost-{localhost}", "data"}
    assert run.hostvars["web"] == {"owner": "static"}  # nothing of the account merged into it
    assert run.hostvars[f"web-{web}"]["aws_account_name"] == "Web"
    # The same account from a second source of the plugin is the same host.
    again = inventory({}, aws_account.env, enable=False, before=[static, tmp_path / "accounts.aws_org.yml"])
    assert again.hosts == run.hosts


def test_host_variables(aws_account, org, inventory):
    account_id = org.member("Payments Prod", ou="/Workloads/Prod", tags={"team": "payments"})

    run = inventory({"include_tags": True}, aws_account.env)

    assert run.rc == 0, run.output
    organization = org.client.describe_organization()["Organization"]
    host_vars = run.hostvars["payments-prod"]
    assert {name: value for name, value in host_vars.items() if name.startswith("aws_")} == {
        "aws_account_id": account_id,
        "aws_account_name": "Payments Prod",
        "aws_account_email": "Payments.Prod@example.com",
        "aws_account_arn": f"arn:aws:organizations::{aws_account.account_id}:account/{organization['Id']}/{account_id}",
        "aws_account_state": "ACTIVE",
        "aws_account_is_management": False,
        "aws_organization_id": organization["Id"],
        "aws_ou_id": org.ou("/Workloads/Prod"),
        "aws_ou_path": "/Workloads/Prod",
        "aws_account_tags": {"team": "payments"},
        "aws_assume_role_arn": f"arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole",
    }


def test_role_name_with_a_path(aws_account, org, inventory):
    account_id = org.member("member")
    run = inventory({"role_name": "automation/ProtonBootstrap"}, aws_account.env)
    assert run.hostvars["member"]["aws_assume_role_arn"] == f"arn:aws:iam::{account_id}:role/automation/ProtonBootstrap"


def test_ou_groups_nest_like_the_ous(aws_account, tree, inventory):
    run = inventory({}, aws_account.env)

    assert run.group_hosts("ou_workloads_prod_eu") == {"e"}
    assert run.group_hosts("ou_workloads_prod") == {"p1", "p2"}
    assert run.children("ou_workloads_prod") == {"ou_workloads_prod_eu"}
    assert run.members("ou_workloads") == {"w", "p1", "p2", "e"}
    assert run.members("ou_sandbox") == {"s"}
    assert "a" in run.group_hosts("ungrouped")  # directly under the root: no OU group


def test_ou_groups_prefix_and_switch(aws_account, tree, inventory):
    prefixed = inventory({"ou_group_prefix": "org-"}, aws_account.env)
    assert prefixed.members("org_workloads") == {"w", "p1", "p2", "e"}
    flat = inventory({"group_by_ou": False}, aws_account.env)
    assert not [group for group in flat.data if group.startswith("ou_")]


def test_keyed_groups_groups_and_compose(aws_account, org, inventory):
    org.member("web", ou="/Workloads", tags={"team": "web"})
    org.member("data", ou="/Sandbox", tags={"team": "data"})
    config = {
        "include_tags": True,
        "keyed_groups": [{"key": "aws_account_tags.team", "prefix": "team"}],
        "groups": {"workloads": "aws_ou_path.startswith('/Workloads')"},
        "compose": {"ansible_connection": "'local'", "short_id": "aws_account_id[-4:]"},
    }

    run = inventory(config, aws_account.env)

    assert run.rc == 0, run.output
    assert run.group_hosts("team_web") == {"web"} and run.group_hosts("team_data") == {"data"}
    assert run.group_hosts("workloads") == {"web"}
    assert run.hostvars["web"]["ansible_connection"] == "local"
    assert run.hostvars["web"]["short_id"] == run.hostvars["web"]["aws_account_id"][-4:]


# --- caching, throttling -------------------------------------------------------------------------------------------
def test_cached_inventory_makes_no_organizations_call(local_aws, aws_account, org, tmp_path, inventory):
    org.member("web", ou="/Workloads", tags={"team": "web"})
    config = {"include_tags": True, "cache": True, "cache_plugin": "ansible.builtin.jsonfile",
              "cache_connection": str(tmp_path / "cache"), "cache_timeout": 600,
              "keyed_groups": [{"key": "aws_account_tags.team", "prefix": "team"}]}
    first = inventory(config, aws_account.env)
    assert first.rc == 0, first.output
    assert org_calls(local_aws, aws_account)

    local_aws.clear_calls()
    org.member("added later")
    second = inventory(config, aws_account.env)
    assert second.rc == 0, second.output
    assert org_calls(local_aws, aws_account) == []
    assert second.data == first.data  # hosts, variables and the constructed groups, all from the cache

    flushed = inventory(config, aws_account.env, extra_args=["--flush-cache"])
    assert flushed.hosts == {"web", "added-later"}
    assert org_calls(local_aws, aws_account)


def test_throttled_requests_are_retried(local_aws, aws_account, org, inventory):
    members = {org.member(f"member {n:02}") for n in range(21)}  # two pages with the management account
    local_aws.clear_calls()
    local_aws.add_error_rule(code="TooManyRequestsException", message="Rate exceeded", account=aws_account.account_id,
                             service="organizations", action="ListAccountsForParent", count=2)

    # botocore's own retries switched off: the plugin's AWSRetry must absorb the throttling.
    run = inventory({"hostname_source": "id"}, aws_account.env, env={"AWS_MAX_ATTEMPTS": "1"})

    assert run.rc == 0, run.output
    assert run.hosts == members
    statuses = [call["status"] for call in org_calls(local_aws, aws_account, action="ListAccountsForParent")]
    assert statuses.count(400) == 2 and statuses.count(200) == 2


def test_access_denied_is_explained(local_aws, aws_account, org, inventory):
    org.member("member")
    local_aws.add_error_rule(code="AccessDeniedException", message="not allowed", account=aws_account.account_id,
                             service="organizations", action="ListRoots")
    run = inventory({}, aws_account.env)
    assert run.rc != 0
    assert "Not allowed to read the organization" in run.output


# --- configuration -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("config, words", [
    ({"organisational_units": ["/Workloads"]}, ["unknown option", "organisational_units"]),
    ({"include_accounts": ["12345"]}, ["include_accounts", "12-digit", "12345"]),
    ({"exclude_accounts": ["abc"]}, ["exclude_accounts", "12-digit"]),
    ({"organizational_units": ["Workloads"]}, ["organizational_units", "Workloads"]),
    ({"role_name": "bad role"}, ["role_name", "bad role"]),
    # Letters and digits of other scripts, which Python's \w and \d would let through and AWS refuses.
    ({"role_name": "\u00c4dministrator"}, ["role_name", "\u00c4dministrator"]),
    ({"include_accounts": ["\u0661" * 12]}, ["include_accounts", "12-digit"]),
    ({"tag_filters": {"team": {"nested": "x"}}}, ["tag_filters.team"]),
    ({"states": ["RUNNING"]}, ["states", "RUNNING"]),
    ({"hostname_source": "email"}, ["hostname_source", "email"]),
])
def test_bad_configuration_is_an_error_naming_the_option(aws_account, org, inventory, config, words):
    run = inventory(config, aws_account.env)
    assert run.rc != 0
    for word in words:
        assert word in run.output


def test_account_outside_any_organization(aws_account, inventory):
    run = inventory({}, aws_account.env)
    assert run.rc != 0
    assert "not in an AWS Organization" in run.output


def test_config_file_name_must_end_with_aws_org_yml(aws_account, org, inventory):
    org.member("member")
    assert inventory({}, aws_account.env, file_name="accounts.yml").rc != 0
    assert inventory({}, aws_account.env, file_name="accounts.aws_org.yaml").hosts == {"member"}


def test_plugin_key_is_enough_with_the_default_inventory_plugins(aws_account, org, inventory):
    org.member("member")
    run = inventory({}, aws_account.env, enable=False)
    assert run.rc == 0, run.output
    assert run.hosts == {"member"}


# --- the examples in docs/examples ---------------------------------------------------------------------------------
def test_example_plugin_configuration(aws_account, org, inventory):
    org.member("Payments Prod", ou="/Workloads/Prod", tags={"team": "payments"})
    org.member("Sandbox")
    example = (REPO / "docs" / "examples" / "accounts.aws_org.yml").read_text()

    run = inventory(example, aws_account.env, enable=False)

    assert run.rc == 0, run.output
    assert run.hosts == {"payments-prod"}
    assert run.members("ou_workloads") == {"payments-prod"}
    assert run.group_hosts("team_payments") == {"payments-prod"}
    assert run.hostvars["payments-prod"]["ansible_connection"] == "local"


def test_example_static_inventory_has_what_the_plugin_gives(inventory):
    example = (REPO / "docs" / "examples" / "static_accounts.yml").read_text()

    run = inventory(example, {}, file_name="static_accounts.yml", enable=False)

    assert run.rc == 0, run.output
    assert run.hosts == {"payments-prod", "payments-dev", "govcloud-sandbox"}
    assert run.members("workloads") == {"payments-prod", "payments-dev"}
    for host_vars in run.hostvars.values():
        account_id = host_vars["aws_account_id"]
        assert isinstance(account_id, str) and len(account_id) == 12
        assert host_vars["aws_assume_role_arn"].split(":")[4] == account_id
        assert host_vars["aws_account_name"] and host_vars["ansible_connection"] == "local"


# --- credentials and partitions ------------------------------------------------------------------------------------
def test_assume_role_arn_reads_the_organization_through_a_role(local_aws, aws_account, org, inventory):
    org.member("member")
    # Credentials of another account (the local AWS's default one), entering the management account by a role.
    other_account = {"AWS_ACCESS_KEY_ID": "AKIAPROTONKITTESTS00", "AWS_SECRET_ACCESS_KEY": "testing",
                     "AWS_SESSION_TOKEN": "", "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": local_aws.url}
    assert inventory({}, other_account).rc != 0  # not in an organization on its own

    run = inventory({"assume_role_arn": f"arn:aws:iam::{aws_account.account_id}:role/OrganizationsReader"},
                    other_account)

    assert run.rc == 0, run.output
    assert run.hosts == {"member"}


def test_role_arns_are_in_the_organizations_partition(aws_account, inventory):
    gov = aws_account.client("organizations", region="us-gov-west-1")
    gov.create_organization(FeatureSet="ALL")
    account_id = gov.create_account(AccountName="gov member", Email="gov@example.com")["CreateAccountStatus"]["AccountId"]

    run = inventory({"region": "us-gov-west-1"}, aws_account.env)

    assert run.rc == 0, run.output
    assert run.hostvars["gov-member"]["aws_assume_role_arn"] == (
        f"arn:aws-us-gov:iam::{account_id}:role/OrganizationAccountAccessRole")
