# -*- coding: utf-8 -*-
# Copyright: Contributors to the protonkit.accounts collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: organization
short_description: The accounts of an AWS Organization as inventory hosts
version_added: 0.1.0
description:
  - Lists the accounts of an AWS Organization, one inventory host per account, so that a playbook can run once per
    account (with C(connection=local)) and assume a role in each of them.
  - Runs with credentials of the organization's management account, or of an account that is a delegated
    administrator for AWS Organizations.
  - Reads the tree of organizational units (OUs) and the accounts of each selected OU, every list page by page with
    at most 20 items per request, following every C(NextToken). Requests throttled by Organizations
    (C(TooManyRequestsException)) are retried with a jittered backoff.
  - Each host is put in a group named after its OU path (see O(group_by_ou)); O(keyed_groups), O(groups) and
    O(compose) work as in other inventory plugins.
  - The configuration file must be a YAML file whose name ends with C(aws_org.yml) or C(aws_org.yaml), for example
    C(accounts.aws_org.yml), and must have the key O(plugin).
author:
  - protonkit maintainers (@protonkit)
# Our own floor, not amazon.aws.boto3's (which says python >= 3.6): see the README's support matrix.
requirements:
  - python >= 3.11
  - boto3 >= 1.35.0
  - botocore >= 1.35.0
extends_documentation_fragment:
  - inventory_cache
  - constructed
  - amazon.aws.common.plugins
  - amazon.aws.region.plugins
  - amazon.aws.assume_role.plugins
options:
  plugin:
    description: Marks the file as a configuration of this plugin.
    type: str
    required: true
    choices: [protonkit.accounts.organization]
  organizational_units:
    description:
      - Only the accounts in these OUs, or in any OU below them (at any depth).
      - Each entry is either an OU id (C(ou-...)) or a root id (C(r-...)), or an OU path made of OU names from the
        root, starting with C(/), like V(/Workloads/Prod). V(/) is the root itself, that is the whole organization.
      - An OU that does not exist is an error, so a typo never yields an empty inventory.
      - Empty (the default) means the whole organization.
    type: list
    elements: str
    default: []
  include_accounts:
    description:
      - Only the accounts with these 12-digit ids (quote them in YAML, so that a leading zero is kept).
      - An id in this list that the organization does not have, or that other filters remove, gives a warning.
      - Empty (the default) means no filter on ids.
    type: list
    elements: str
    default: []
  exclude_accounts:
    description: Never the accounts with these 12-digit ids (quote them in YAML).
    type: list
    elements: str
    default: []
  tag_filters:
    description:
      - Only the accounts that have every tag key listed here, with one of the values given for it.
      - A value is a string or a list of strings; V(null) or an empty list accepts any value of the key.
      - Setting this makes the plugin read the tags of the accounts that pass the other filters
        (one C(ListTagsForResource) request per account).
    type: dict
    default: {}
  include_tags:
    description:
      - Read every listed account's tags into the host variable C(aws_account_tags).
      - Costs one C(ListTagsForResource) request per account; without it (and without O(tag_filters))
        C(aws_account_tags) is an empty dict.
    type: bool
    default: false
  states:
    description:
      - Only the accounts in one of these lifecycle states.
      - The state is the account's C(State) field, or its older C(Status) field where Organizations does not send
        C(State) yet.
    type: list
    elements: str
    choices: [ACTIVE, PENDING_ACTIVATION, SUSPENDED, PENDING_CLOSURE, CLOSED]
    default: [ACTIVE]
  include_management_account:
    description:
      - Also list the organization's management account.
      - It is left out by default because it cannot be entered with the role that Organizations creates in member
        accounts.
    type: bool
    default: false
  hostname_source:
    description:
      - V(name) names each host after its account name, lowercased, accents dropped, with every run of characters
        other than letters, digits, C(.), C(_) and C(-) replaced by one C(-) (C(Prod Workloads (EU)) becomes
        C(prod-workloads-eu)).
      - V(id) names each host after its 12-digit account id.
      - A host name is never taken from whoever has it. A host that the inventory already has from another source
        (with another C(aws_account_id)) or the implicit C(localhost) keeps its name, then the account that joined
        the organization first. Every other account that would get the same name is named
        C(<name>-<account id>) instead, with a warning.
    type: str
    choices: [name, id]
    default: name
  role_name:
    description:
      - The IAM role to assume in each account, with an optional path (V(automation/ProtonBootstrap)).
      - Only used to build the host variable C(aws_assume_role_arn); the plugin does not assume it.
    type: str
    default: OrganizationAccountAccessRole
  group_by_ou:
    description:
      - Put each host in a group named after its OU path, O(ou_group_prefix) followed by the lowercased OU names
        joined by C(_), every character other than letters, digits and C(_) replaced by C(_)
        (C(/Workloads/Prod) gives the group C(ou_workloads_prod)).
      - Groups nest like the OUs do, so the group of C(/Workloads) holds the hosts of C(/Workloads/Prod) as well.
      - Accounts directly under the root are in no OU group.
    type: bool
    default: true
  ou_group_prefix:
    description: Start of the name of every OU group (see O(group_by_ou)).
    type: str
    default: ou_
notes:
  - "Every host gets these variables: C(aws_account_id), C(aws_account_name), C(aws_account_email),
    C(aws_account_arn), C(aws_account_state), C(aws_account_is_management), C(aws_organization_id), C(aws_ou_id),
    C(aws_ou_path) (V(/) for accounts directly under the root), C(aws_account_tags) (see O(include_tags)) and
    C(aws_assume_role_arn), the ARN of O(role_name) in the account, in the organization's partition."
  - Every variable is marked unsafe, so never templated (also when read from the cache). Account names, emails,
    OU names and tags are set by the people who run the member accounts, and a name that holds a Jinja expression
    (a lookup that runs a command, say) must stay a name.
  - AWS Organizations is a global service; O(region) only selects the partition's endpoint and defaults to
    V(us-east-1) (use for example V(us-gov-west-1) for AWS GovCloud (US)).
  - With O(cache) enabled the listed accounts are cached (after filtering); O(keyed_groups), O(groups),
    O(compose), O(hostname_source), O(role_name) and the OU groups are applied again on every run. Flush the cache
    (C(--flush-cache)) after changing a filter.
  - "IAM permissions needed: C(organizations:DescribeOrganization), C(organizations:ListRoots),
    C(organizations:ListOrganizationalUnitsForParent), C(organizations:ListAccountsForParent), and
    C(organizations:ListTagsForResource) when tags are read."
seealso:
  - name: AWS Organizations API reference
    description: The requests this plugin makes.
    link: https://docs.aws.amazon.com/organizations/latest/APIReference/Welcome.html
"""

EXAMPLES = r"""
# accounts.aws_org.yml: every active member account, named after its account name, grouped by OU.
plugin: protonkit.accounts.organization

---
# Only the workload accounts, with their tags, entered through a custom role;
# hosts also grouped by the value of their "team" tag.
plugin: protonkit.accounts.organization
organizational_units:
  - /Workloads
  - ou-ab12-cdef3456
exclude_accounts:
  - "111122223333"
include_tags: true
role_name: automation/ProtonBootstrap
keyed_groups:
  - key: aws_account_tags.team | default('none')
    prefix: team

---
# Accounts tagged proton=enabled (any environment value among two), named by id, read through a
# delegated-administrator account reached with a role, results cached for an hour.
plugin: protonkit.accounts.organization
assume_role_arn: arn:aws:iam::444455556666:role/OrganizationsReadOnly
tag_filters:
  proton: enabled
  environment: [staging, production]
hostname_source: id
compose:
  ansible_connection: "'local'"
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/protonkit-accounts
cache_timeout: 3600
"""

import difflib
import re
import unicodedata

try:
    import botocore
except ImportError:
    pass  # AWSInventoryBase reports a missing botocore

from ansible import constants as C
from ansible.errors import AnsibleError
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.plugin_utils.inventory import AWSInventoryBase

from ansible_collections.protonkit.accounts.plugins.module_utils import organizations

# re.ASCII and fullmatch: Python's \d and \w also match digits and letters of other scripts ("Ädmin"), and $ a
# final newline, none of which AWS accepts.
ACCOUNT_ID = re.compile(r"\d{12}", re.ASCII)
UNIT_ID = re.compile(r"ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|r-[0-9a-z]{4,32}")
# An IAM role name, optionally after a path (IAM allows the same characters in both).
ROLE_NAME = re.compile(r"(?:[\w+=,.@-]+/)*[\w+=,.@-]{1,64}", re.ASCII)
# Organizations is global: any region of the partition reaches it, us-east-1 is the one for "aws".
DEFAULT_REGION = "us-east-1"


def _ascii_lower(text):
    """``Ünïcode`` is ``unicode``: accents dropped rather than whole letters."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()


def host_name_from_account_name(account_name):
    """A host name usable in patterns and --limit: lowercase letters, digits, '.', '_' and '-' only."""
    return re.sub(r"[^a-z0-9._-]+", "-", _ascii_lower(account_name)).strip("-.")


def ou_group_name(prefix, ou_path):
    """The group of an OU path: ``prefix`` + OU names lowercased, joined by '_' (a valid Python identifier)."""
    names = [re.sub(r"[^a-z0-9_]+", "_", _ascii_lower(name)).strip("_") for name in ou_path.strip("/").split("/")]
    name = re.sub(r"[^A-Za-z0-9_]+", "_", prefix) + "_".join(names)
    return "_" + name if name[:1].isdigit() else name


def normalize_ou_path(path):
    """``/Workloads/Prod/`` and ``/Workloads//Prod`` are ``/Workloads/Prod``."""
    return "/" + "/".join(part for part in path.split("/") if part)


def tags_match(tags, tag_filters):
    """True when ``tags`` has every key of ``tag_filters`` with one of its accepted values (None/[]: any)."""
    for key, accepted in tag_filters.items():
        if key not in tags:
            return False
        if accepted in (None, []):
            continue
        accepted = accepted if isinstance(accepted, list) else [accepted]
        if tags[key] not in [str(value) for value in accepted]:
            return False
    return True


def joined_timestamp(account):
    """When the account joined the organization, in seconds since the epoch (JSON-ready, for the cache)."""
    joined = account.get("JoinedTimestamp")
    return joined.timestamp() if joined else None


def joined_first(account):
    """Sort key: the order in which accounts joined the organization (records cached without it: by id)."""
    return account.get("joined") or 0, account["id"]


def host_names(accounts, source, taken=None):
    """``({account id: host name}, [(account id, host name it would have had)])``.

    A name stays with whoever had it first: the hosts in ``taken`` (host name -> its ``aws_account_id``, or None),
    then the accounts in the order they joined the organization. Any later account that would get the same name
    is named ``<name>-<account id>`` instead, so that a newcomer never renames an existing host (nor merges into
    a host of another inventory source)."""
    holders = dict(taken or {})
    names, renamed = {}, []
    for account in sorted(accounts, key=joined_first):
        account_id = account["id"]
        wanted = account_id if source == "id" else host_name_from_account_name(account["name"]) or account_id
        if holders.setdefault(wanted, account_id) == account_id:
            names[account_id] = wanted
        else:
            names[account_id] = f"{wanted}-{account_id}"
            renamed.append((account_id, wanted))
    return names, renamed


class InventoryModule(AWSInventoryBase):
    NAME = "protonkit.accounts.organization"
    INVENTORY_FILE_SUFFIXES = ("aws_org.yml", "aws_org.yaml")

    # --- configuration ------------------------------------------------------------------------------------------
    def _read_config_data(self, path):
        config = super()._read_config_data(path)
        self._check_option_names(config)
        self._check_option_values()
        return config

    def _check_option_names(self, config):
        # Ansible silently ignores unknown keys; a misspelt filter would then list every account.
        definitions = C.config.get_configuration_definitions("inventory", self._load_name) or {}
        known = set(definitions)
        for definition in definitions.values():
            known.update(definition.get("aliases") or [])
        unknown = sorted(set(config) - known)
        if unknown:
            hints = [f"{name} (did you mean {close[0]}?)" if close else name
                     for name in unknown for close in [difflib.get_close_matches(name, sorted(known), n=1)]]
            raise AnsibleError(
                f"{self.NAME}: unknown option(s) {', '.join(hints)}; valid options are {', '.join(sorted(definitions))}"
            )

    def _check_option_values(self):
        for option in ("include_accounts", "exclude_accounts"):
            bad = [value for value in self.get_option(option) if not ACCOUNT_ID.fullmatch(str(value))]
            if bad:
                raise AnsibleError(
                    f"{self.NAME}: {option} must hold 12-digit AWS account ids, got {bad}; write each id as a quoted "
                    "string (\"012345678901\") so YAML keeps leading zeros"
                )
        bad = [unit for unit in self.get_option("organizational_units")
               if not (str(unit).startswith("/") or UNIT_ID.fullmatch(str(unit)))]
        if bad:
            raise AnsibleError(
                f"{self.NAME}: organizational_units entries must be OU ids (ou-xxxx-xxxxxxxx), root ids (r-xxxx) or "
                f"OU paths starting with / (/Workloads/Prod), got {bad}"
            )
        role_name = self.get_option("role_name")
        if not role_name or not ROLE_NAME.fullmatch(role_name):
            raise AnsibleError(
                f"{self.NAME}: role_name {role_name!r} is not an IAM role name (letters, digits and +=,.@_-, at most "
                "64 characters, optionally after a path like automation/)"
            )
        for key, accepted in self.get_option("tag_filters").items():
            values = accepted if isinstance(accepted, list) else [accepted]
            if not all(value is None or isinstance(value, (str, int, float, bool)) for value in values):
                raise AnsibleError(
                    f"{self.NAME}: tag_filters.{key} must be a string, a list of strings, or null (any value)"
                )

    # --- reading the organization ------------------------------------------------------------------------------
    def _organizations_client(self):
        return self.client(
            "organizations", retry_decorator=AWSRetry.jittered_backoff(retries=10), region=self.region or DEFAULT_REGION
        )

    def _selected_units(self, units, wanted):
        """Ids of the OUs to list accounts from: the wanted ones and everything below them."""
        if not wanted:
            wanted = [unit_id for unit_id, unit in units.items() if unit["parent_id"] is None]
        by_path = {unit["path"]: unit_id for unit_id, unit in units.items() if unit["parent_id"] is not None}
        selected = []
        for entry in wanted:
            if entry.startswith("/"):
                path = normalize_ou_path(entry)
                roots = [unit_id for unit_id, unit in units.items() if unit["parent_id"] is None]
                unit_id = roots[0] if path == "/" and roots else by_path.get(path)
                if unit_id is None:
                    raise AnsibleError(
                        f"{self.NAME}: organizational_units: no OU at path {path}; the organization has "
                        f"{', '.join(sorted(by_path)) or 'no OUs'} (names are case-sensitive)"
                    )
            elif entry in units:
                unit_id = entry
            else:
                raise AnsibleError(f"{self.NAME}: organizational_units: the organization has no OU or root {entry}")
            selected.extend(unit for unit in organizations.descendants(units, unit_id) if unit not in selected)
        return selected

    def _query(self):
        """The accounts the configuration selects, as JSON-ready records (what the cache keeps)."""
        client = self._organizations_client()
        organization = organizations.describe_organization(client)
        units = organizations.organizational_units(client)
        states = self.get_option("states")
        include = set(self.get_option("include_accounts"))
        exclude = set(self.get_option("exclude_accounts"))
        tag_filters = self.get_option("tag_filters")
        read_tags = self.get_option("include_tags") or bool(tag_filters)

        records = []
        for unit_id in self._selected_units(units, self.get_option("organizational_units")):
            for account in organizations.accounts_in(client, unit_id):
                is_management = account["Id"] == organization["MasterAccountId"]
                if (
                    organizations.account_state(account) not in states
                    or (is_management and not self.get_option("include_management_account"))
                    or (include and account["Id"] not in include)
                    or account["Id"] in exclude
                ):
                    continue
                tags = organizations.account_tags(client, account["Id"]) if read_tags else {}
                if tag_filters and not tags_match(tags, tag_filters):
                    continue
                records.append({
                    "id": account["Id"],
                    "name": account["Name"],
                    "email": account["Email"],
                    "arn": account["Arn"],
                    "state": organizations.account_state(account),
                    "is_management": is_management,
                    "ou_id": unit_id,
                    "ou_path": units[unit_id]["path"],
                    "tags": tags,
                    "joined": joined_timestamp(account),
                })
        missing = sorted(include - {record["id"] for record in records})
        if missing:
            self.warn(f"{self.NAME}: include_accounts {', '.join(missing)} not listed: not in the organization, "
                      "or removed by another filter")
        return {
            "organization_id": organization["Id"],
            "partition": organizations.partition_of(organization["Arn"]),
            "accounts": sorted(records, key=lambda record: record["id"]),
        }

    def _query_or_fail(self):
        try:
            return self._query()
        except is_boto3_error_code("AWSOrganizationsNotInUseException") as e:
            self.fail_aws(
                "The credentials' account is not in an AWS Organization; use the management account or a delegated "
                "administrator (or a static inventory, see docs/examples/static_accounts.yml)", exception=e)
        except is_boto3_error_code(["AccessDeniedException", "AccessDenied"]) as e:  # pylint: disable=duplicate-except
            self.fail_aws(
                "Not allowed to read the organization; the credentials must belong to the management account or a "
                "delegated administrator allowed organizations:Describe* and organizations:List*", exception=e)
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:  # pylint: disable=duplicate-except
            self.fail_aws("Failed to read the AWS Organization", exception=e)

    # --- building the inventory --------------------------------------------------------------------------------
    def _add_ou_groups(self, ou_path):
        """The group of ``ou_path``, created with its ancestors' groups, each parent holding its child."""
        prefix = self.get_option("ou_group_prefix")
        parts = ou_path.strip("/").split("/")
        child = None
        for depth in range(len(parts), 0, -1):
            group = self.inventory.add_group(ou_group_name(prefix, "/" + "/".join(parts[:depth])))
            if child:
                self.inventory.add_child(group, child)
            child = group
        return ou_group_name(prefix, ou_path)

    def _taken_host_names(self):
        """Hosts the inventory already has (from sources parsed before this one): host name -> aws_account_id."""
        # The implicit localhost counts: an account named "localhost" must not answer to "hosts: localhost".
        taken = dict.fromkeys(C.LOCALHOST)
        taken.update((name, host.vars.get("aws_account_id")) for name, host in self.inventory.hosts.items())
        return taken

    def _host_names(self, accounts):
        names, renamed = host_names(accounts, self.get_option("hostname_source"), self._taken_host_names())
        for account_id, wanted in renamed:
            self.warn(f"{self.NAME}: account {account_id} would be named {wanted}, which a host of another source "
                      f"or an account that joined earlier already has (and keeps); it is named {names[account_id]}")
        return names

    def _host_vars(self, listing, account):
        # Names, emails, OU names and tags are chosen by whoever runs the member accounts: wrapped as unsafe, a name
        # like "{{ lookup('pipe', ...) }}" is never templated by any ansible-core (2.17 and 2.18 would run it).
        # Here, so that accounts read back from the cache are wrapped too.
        role_name = self.get_option("role_name")
        return wrap_var({
            "aws_account_id": account["id"],
            "aws_account_name": account["name"],
            "aws_account_email": account["email"],
            "aws_account_arn": account["arn"],
            "aws_account_state": account["state"],
            "aws_account_is_management": account["is_management"],
            "aws_organization_id": listing["organization_id"],
            "aws_ou_id": account["ou_id"],
            "aws_ou_path": account["ou_path"],
            "aws_account_tags": account["tags"],
            "aws_assume_role_arn": f"arn:{listing['partition']}:iam::{account['id']}:role/{role_name}",
        })

    def _populate(self, listing):
        names = self._host_names(listing["accounts"])
        strict = self.get_option("strict")
        for account in listing["accounts"]:
            host = names[account["id"]]
            self.inventory.add_host(host)
            host_vars = self._host_vars(listing, account)
            for name, value in host_vars.items():
                self.inventory.set_variable(host, name, value)
            if self.get_option("group_by_ou") and account["ou_path"] != "/":
                self.inventory.add_child(self._add_ou_groups(account["ou_path"]), host)
            self._set_composite_vars(self.get_option("compose"), host_vars, host, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), host_vars, host, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), host_vars, host, strict=strict)

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache=cache)
        was_cached, listing = self.get_cached_result(path, cache)
        if not was_cached:
            listing = self._query_or_fail()
        self._populate(listing)
        self.update_cached_result(path, cache, listing)
