from ansible.errors import AnsibleFilterError
import pytest

from ansible_collections.protonkit.accounts.plugins.filter.report import report_counts, report_table


RECORDS = [
    {"account_id": "111111111111", "account_name": "dev", "admin_user": "Administrator",
     "proton_roles": ["AWSProtonServiceRole", "AWSProtonPipelineServiceRole"], "regions": ["us-east-1"],
     "status": "unchanged", "error": None},
    {"account_id": "222222222222", "account_name": "prod", "admin_user": None, "proton_roles": [],
     "regions": ["us-east-1", "eu-west-1"], "status": "failed",
     "error": {"code": "AccessDenied", "message": "not allowed to assume\nthe role"}},
]


def test_table_puts_failures_first_and_aligns_columns():
    lines = report_table(RECORDS)
    assert lines[0].split() == ["ACCOUNT", "NAME", "ADMIN", "USER", "PROTON", "ROLES", "REGIONS", "STATUS", "ERROR"]
    assert set(lines[1].replace(" ", "")) == {"-"}
    assert lines[2].startswith("222222222222")
    assert "AccessDenied: not allowed to assume the role" in lines[2]
    assert "AWSProtonServiceRole,AWSProtonPipelineServiceRole" in lines[3]
    # Every column starts at the same offset on every line.
    status_at = lines[0].index("STATUS")
    assert lines[2][status_at:].startswith("failed")
    assert lines[3][status_at:].startswith("unchanged")


def test_long_cells_are_shortened():
    record = dict(RECORDS[1], error={"code": "X", "message": "y" * 500})
    row = report_table([record])[2]
    assert row.endswith("...") and len(row) < 200


def test_counts_cover_every_status():
    assert report_counts(RECORDS) == {"failed": 1, "created": 0, "updated": 0, "unchanged": 1, "skipped": 0}
    assert report_counts([]) == {"failed": 0, "created": 0, "updated": 0, "unchanged": 0, "skipped": 0}


def test_table_rejects_a_non_list():
    with pytest.raises(AnsibleFilterError, match="expects a list"):
        report_table("not a list")
