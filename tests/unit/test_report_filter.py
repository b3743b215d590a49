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
    none = {"failed": 0, "not_attempted": 0, "proton_skipped": 0, "created": 0, "updated": 0, "removed": 0,
            "unchanged": 0, "skipped": 0}
    assert report_counts(RECORDS) == dict(none, failed=1, unchanged=1)
    assert report_counts([]) == none


def test_table_rejects_a_non_list():
    with pytest.raises(AnsibleFilterError, match="expects a list"):
        report_table("not a list")


from ansible_collections.protonkit.accounts.plugins.filter.report import account_record, collect_records  # noqa: E402

IDENTITY = {"host": "dev", "account_id": "111111111111", "account_name": "dev"}
IAM_CREATED = {"changed": True, "created": True, "user": {"name": "Administrator"},
               "password_secret_arn": "arn:aws:secretsmanager:us-east-1:111111111111:secret:x"}
PROTON_LOOP = {"changed": False, "results": [
    {"changed": False, "region": "us-east-1", "roles": {"service": {"name": "S"}, "pipeline": {"name": "P"}}},
    {"changed": False, "region": "eu-west-1", "roles": {"service": {"name": "S"}, "pipeline": {"name": "P"}}},
]}


def test_record_of_a_created_account_names_user_roles_regions_and_secret():
    record = account_record(IDENTITY, {"iam_admin": IAM_CREATED, "proton_roles": PROTON_LOOP})
    assert record["status"] == "created"
    assert record["admin_user"] == "Administrator"
    assert record["proton_roles"] == ["S", "P"]
    assert record["regions"] == ["us-east-1", "eu-west-1"]
    assert record["password_delivered_to"] == [IAM_CREATED["password_secret_arn"]]
    assert record["error"] is None


def test_record_status_updated_unchanged_skipped():
    updated = dict(IAM_CREATED, created=False)
    assert account_record(IDENTITY, {"iam_admin": updated})["status"] == "updated"
    unchanged = dict(IAM_CREATED, created=False, changed=False)
    assert account_record(IDENTITY, {"iam_admin": unchanged, "proton_roles": PROTON_LOOP})["status"] == "unchanged"
    assert account_record(IDENTITY, {"iam_admin": {"skipped": True}, "proton_roles": None})["status"] == "skipped"


def test_record_of_a_failure_keeps_the_aws_error_code():
    failure = {"failed": True, "msg": "Failed to assume role:\n denied",
               "error": {"code": "AccessDenied", "message": "denied"}}
    record = account_record(IDENTITY, failure=failure, failed_task="Assume the bootstrap role in the account")
    assert record["status"] == "failed"
    assert record["error"] == {"task": "Assume the bootstrap role in the account", "code": "AccessDenied",
                               "message": "Failed to assume role: denied"}


def test_collect_records_marks_hosts_that_never_ran_as_skipped():
    hostvars = {"dev": {"account_bootstrap_record": {"host": "dev", "status": "created"}}, "prod": {}}
    assert collect_records(["dev", "prod"], hostvars) == [
        {"host": "dev", "status": "created"},
        {"host": "prod", "account_name": "prod", "status": "skipped"},
    ]


def test_record_of_a_failed_loop_takes_the_failed_items_error():
    failure = {"failed": True, "msg": "One or more items failed", "results": [
        {"failed": False, "changed": False},
        {"failed": True, "msg": "AWS Proton did not answer in eu-west-1", "error": {"code": "UnknownOperationException"}},
    ]}
    record = account_record(IDENTITY, failure=failure, failed_task="Proton")
    assert record["error"]["code"] == "UnknownOperationException"
    assert record["error"]["message"] == "AWS Proton did not answer in eu-west-1"


from ansible_collections.protonkit.accounts.plugins.filter.report import report_summary  # noqa: E402

THEIR_ROLE = {"kind": "role", "name": "AWSProtonServiceRole", "reason": "not tagged protonkit:managed-by"}


def test_record_lists_what_a_teardown_kept_once():
    iam = {"changed": True, "kept": [{"kind": "user", "name": "Administrator", "reason": "at path '/people/'"}]}
    proton = {"results": [{"changed": False, "region": region, "roles": {}, "removed_roles": [], "kept": [THEIR_ROLE]}
                          for region in ("us-east-1", "eu-west-1")]}
    record = account_record(IDENTITY, {"iam_admin": iam, "proton_roles": proton, "removing": True})
    assert record["kept"] == [iam["kept"][0], THEIR_ROLE]
    lines = report_summary([record])
    assert "  dev (111111111111): role AWSProtonServiceRole: not tagged protonkit:managed-by" in lines
    assert "  dev (111111111111): user Administrator: at path '/people/'" in lines


def test_record_of_a_refusal_lists_the_refused_entities():
    failure = {"failed": True, "msg": "One or more items failed", "results": [
        {"failed": True, "msg": "Not created by protonkit.accounts, so not changed: ...", "refused": [THEIR_ROLE]}]}
    record = account_record(IDENTITY, failure=failure, failed_task="Proton")
    assert record["status"] == "failed" and record["kept"] == [THEIR_ROLE]
    assert account_record(IDENTITY, {"iam_admin": IAM_CREATED})["kept"] == []


from ansible_collections.protonkit.accounts.plugins.filter.report import merge_records  # noqa: E402


def test_check_mode_summary_says_would_and_marks_itself():
    record = account_record(IDENTITY, {"iam_admin": IAM_CREATED, "proton_roles": PROTON_LOOP})
    lines = report_summary([record], check_mode=True)
    assert lines[0].startswith("Check mode: nothing was changed")
    assert "would create" in lines[3] and lines[3].startswith("111111111111")
    assert "would create 1" in [line for line in lines if line.startswith("Totals:")][0]
    assert not any("created" in line for line in lines)
    assert "Check mode" not in report_summary([record])[0]


def test_proton_unavailable_is_its_own_status_and_named_in_the_summary():
    unavailable = {"changed": True, "results": [
        {"changed": True, "created": True, "region": "us-east-1", "proton_available": False,
         "roles": {"service": {"name": "S"}, "pipeline": {"name": "P"}}}]}
    record = account_record(IDENTITY, {"iam_admin": dict(IAM_CREATED, changed=False, created=False),
                                       "proton_roles": unavailable})
    assert record["status"] == "proton_skipped" and record["proton_skipped_regions"] == ["us-east-1"]
    assert report_counts([record])["proton_skipped"] == 1
    lines = report_summary([record])
    assert "AWS Proton did not answer (end of support), so its account settings were not written in:" in lines
    assert "  dev (111111111111): us-east-1" in lines
    # Proton answering (or not asked: configure_account_settings false) is no skip.
    answered = account_record(IDENTITY, {"iam_admin": IAM_CREATED, "proton_roles": PROTON_LOOP})
    assert answered["proton_skipped_regions"] == []


def test_one_run_over_several_regions_is_reported_per_region():
    # proton_account_roles with regions: one result, the roles once, each region's own outcome in "regions".
    one_run = {"changed": True, "created": True, "roles": {"service": {"name": "S"}, "pipeline": {"name": "P"}},
               "regions": [{"region": "us-east-1", "changed": True, "proton_available": True},
                           {"region": "eu-west-1", "changed": False, "proton_available": False}]}
    record = account_record(IDENTITY, {"iam_admin": IAM_CREATED, "proton_roles": one_run})
    assert (record["regions"], record["proton_roles"]) == (["us-east-1", "eu-west-1"], ["S", "P"])
    assert record["status"] == "proton_skipped" and record["proton_skipped_regions"] == ["eu-west-1"]
    answered = dict(one_run, regions=[dict(region, proton_available=True) for region in one_run["regions"]])
    assert account_record(IDENTITY, {"iam_admin": IAM_CREATED, "proton_roles": answered})["status"] == "created"
    skipped_task = {"skipped": True, "changed": False}
    assert account_record(IDENTITY, {"iam_admin": IAM_CREATED, "proton_roles": skipped_task})["regions"] == []


def test_a_failed_proton_run_and_one_without_settings_name_no_region():
    # Failed before any region was done (Proton not answering, with proton_unavailable=fail): the error says it all.
    failed = {"failed": True, "msg": "AWS Proton did not answer in us-east-1", "proton_available": False}
    record = account_record(IDENTITY, {"iam_admin": IAM_CREATED, "proton_roles": failed}, failed, "Proton")
    assert (record["status"], record["regions"], record["proton_skipped_regions"]) == ("failed", [], [])
    assert report_summary([record])  # no region of None to join
    # configure_account_settings=false: the roles, and no region.
    roles_only = {"changed": True, "created": True, "region": "us-east-1", "regions": [], "proton_available": True,
                  "roles": {"service": {"name": "S"}, "pipeline": {"name": "P"}}}
    record = account_record(IDENTITY, {"iam_admin": IAM_CREATED, "proton_roles": roles_only})
    assert (record["regions"], record["proton_roles"], record["status"]) == ([], ["S", "P"], "created")


def test_teardown_names_the_removed_administrator():
    iam = {"changed": True, "user": {}, "kept": [],
           "removed": [{"kind": "user", "name": "Administrator"}, {"kind": "group", "name": "Administrators"}]}
    record = account_record(IDENTITY, {"iam_admin": iam, "removing": True})
    assert (record["status"], record["admin_user"], record["admin_user_removed"]) == ("removed", "Administrator", True)
    assert "Administrator (removed)" in report_table([record])[2]
    assert "Administrator (would be removed)" in report_table([record], check_mode=True)[2]
    kept = {"changed": False, "user": {"name": "Administrator"}, "removed": [],
            "kept": [{"kind": "user", "name": "Administrator", "reason": "not ours"}]}
    record = account_record(IDENTITY, {"iam_admin": kept, "removing": True})
    assert (record["admin_user"], record["admin_user_removed"]) == ("Administrator", False)


def test_merge_keeps_the_earlier_records_of_accounts_outside_the_rerun():
    earlier = [{"host": "a", "status": "created"}, {"host": "b", "status": "failed"}, {"host": "c", "status": "created"}]
    assert merge_records(earlier, [{"host": "b", "status": "created"}, {"host": "d", "status": "created"}]) == [
        {"host": "a", "status": "created"}, {"host": "b", "status": "created"}, {"host": "c", "status": "created"},
        {"host": "d", "status": "created"}]
    with pytest.raises(AnsibleFilterError):
        merge_records(None, [])
