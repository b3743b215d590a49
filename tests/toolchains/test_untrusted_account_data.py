"""Account names, emails, OU names and tags are chosen by whoever runs the member accounts: they stay data.

An account, its email, its OU and its tag are named like a Jinja lookup that would create a file. The organization
is listed, bootstrapped in check mode and for real, and read by a playbook that prints every variable the inventory
plugin gives, through real ``ansible-inventory`` / ``ansible-playbook`` on the newest toolchain (.venv) and on the
oldest (ansible-core 2.17, which templates any inventory value not marked unsafe), also from the inventory cache:
no file is ever created and the names show literally in the summary and the JSON report.
"""

import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml

from localaws.sample_org import Organization

REPO = Path(__file__).resolve().parents[2]
COLLECTIONS = REPO / ".build" / "collections"
REGION = "us-east-1"

# Each would create a file in $PWN (set for every run below) if it were ever templated; the account
# name within AWS's 50 characters, the email without the whitespace that AWS refuses in one.
ACCOUNT_NAME = "{{ lookup('pipe', 'touch $PWN/name') }}"
EMAIL = "{{lookup('pipe','id>$PWN/email')}}@example.com"
OU_NAME = "{{ lookup('pipe', 'touch $PWN/ou') }}"
TAG_VALUE = "{{ lookup('pipe', 'touch $PWN/tag') }}"
HOST = "lookup-pipe-touch-pwn-name"  # the account name, sanitized

# A playbook of the user's own that reads every variable the plugin gives, directly and through compose.
READ_EVERY_VARIABLE = [{
    "hosts": "all",
    "connection": "local",
    "gather_facts": False,
    "tasks": [{"name": "Show what the inventory says", "ansible.builtin.debug": {
        "msg": "{{ [aws_account_name, aws_account_email, aws_ou_path, aws_account_tags, account_label] }}"}}],
}]
COMPOSE = {"account_label": "aws_account_name ~ ' in ' ~ aws_ou_path"}


@pytest.fixture
def hostile_org(aws_account):
    """An organization (managed by ``aws_account``) with one member account, named like lookups, in such an OU."""
    assert len(ACCOUNT_NAME) <= 50  # AWS's limit, which the local AWS does not check
    organization = Organization(aws_account.client("organizations"))
    return organization.member(ACCOUNT_NAME, organization.unit(OU_NAME), {"team": TAG_VALUE}, email=EMAIL)


class Runs:
    """ansible-inventory / ansible-playbook from ``toolchain_bin``, in ``work``, on an inventory file of the plugin."""

    def __init__(self, toolchain_bin, aws_env, work, **config):
        self.toolchain_bin = toolchain_bin
        self.work = work
        self.pwned = work / "pwned"
        self.pwned.mkdir()
        self.env = dict(os.environ, **aws_env, ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS), ANSIBLE_NOCOLOR="1",
                        ANSIBLE_INVENTORY_UNPARSED_FAILED="1", PWN=str(self.pwned), PWD=str(work))
        (work / "accounts.aws_org.yml").write_text(yaml.safe_dump({
            "plugin": "protonkit.accounts.organization", "include_tags": True, "compose": COMPOSE, **config}))
        (work / "read.yml").write_text(yaml.safe_dump(READ_EVERY_VARIABLE, sort_keys=False))

    def run(self, program, *args):
        result = subprocess.run([str(self.toolchain_bin / program), "-i", "accounts.aws_org.yml", *args],
                                capture_output=True, text=True, env=self.env, cwd=self.work, check=False)
        output = result.stdout + result.stderr
        assert result.returncode == 0, output[-3000:]
        assert sorted(path.name for path in self.pwned.iterdir()) == [], output[-3000:]
        return output

    def bootstrap(self, *args):
        output = self.run("ansible-playbook", "protonkit.accounts.bootstrap",
                          "-e", json.dumps({"proton_regions": [REGION], "account_bootstrap_proton_roles": True}), *args)
        report = json.loads((self.work / f"protonkit-bootstrap{'-check' if '--check' in args else ''}-report.json").read_text())
        return output, report


def assert_listed_literally(output, account_id):
    listing = json.loads(output[output.index("{"):])
    host_vars = listing["_meta"]["hostvars"][HOST]
    assert ACCOUNT_NAME in json.dumps(host_vars["aws_account_name"])
    assert account_id in json.dumps(host_vars["aws_account_id"])
    assert sorted(listing["_meta"]["hostvars"]) == [HOST]


def assert_read_literally(output):
    for text in (ACCOUNT_NAME, EMAIL, "/" + OU_NAME, TAG_VALUE, f"{ACCOUNT_NAME} in /{OU_NAME}"):
        assert text in output, output[-3000:]


def assert_reported_literally(output, report, status):
    assert [(record["account_name"], record["status"]) for record in report["accounts"]] == [(ACCOUNT_NAME, status)]
    assert ACCOUNT_NAME in output  # the summary table


def test_names_like_lookups_are_listed_and_bootstrapped_literally(toolchain_bin, aws_account, hostile_org, tmp_path):
    runs = Runs(toolchain_bin, aws_account.env, tmp_path)

    assert_listed_literally(runs.run("ansible-inventory", "--list"), hostile_org)
    assert_read_literally(runs.run("ansible-playbook", "read.yml"))
    assert_reported_literally(*runs.bootstrap("--check", "--diff"), "created")
    assert_reported_literally(*runs.bootstrap(), "created")


def test_names_like_lookups_stay_literal_when_read_from_the_cache(local_aws, toolchain_bin, aws_account, hostile_org,
                                                                  tmp_path):
    runs = Runs(toolchain_bin, aws_account.env, tmp_path, cache=True, cache_plugin="ansible.builtin.jsonfile",
                cache_connection=str(tmp_path / "cache"), cache_timeout=600)
    runs.run("ansible-inventory", "--list")  # fills the cache
    local_aws.clear_calls()

    assert_listed_literally(runs.run("ansible-inventory", "--list"), hostile_org)
    assert_read_literally(runs.run("ansible-playbook", "read.yml"))
    assert_reported_literally(*runs.bootstrap(), "created")
    # Every run above read the organization from the cache.
    assert local_aws.calls(account=aws_account.account_id, service="organizations") == []
