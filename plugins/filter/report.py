# -*- coding: utf-8 -*-
# Copyright: Contributors to the protonkit.accounts collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters that turn per-account bootstrap records into the run summary."""

from ansible.errors import AnsibleFilterError

# (column title, record key) in display order.
COLUMNS = (
    ("ACCOUNT", "account_id"),
    ("NAME", "account_name"),
    ("ADMIN USER", "admin_user"),
    ("PROTON ROLES", "proton_roles"),
    ("REGIONS", "regions"),
    ("STATUS", "status"),
    ("ERROR", "error"),
)
# proton_skipped: the account was bootstrapped but Proton did not answer in some region, so its account settings were
# not written there. not_attempted: protonkit_max_fail_percentage stopped the run before the account's turn.
STATUS_ORDER = ("failed", "not_attempted", "proton_skipped", "created", "updated", "removed", "unchanged", "skipped")
# What a check-mode run says instead: it changed nothing.
CHECK_MODE_WORDS = {"created": "would create", "updated": "would update", "removed": "would remove"}
MAX_CELL = 60


def _cell(value):
    if value is None:
        return "-"
    if isinstance(value, (list, tuple)):
        value = ",".join(str(item) for item in value) or "-"
    if isinstance(value, dict):
        code = value.get("code")
        message = value.get("message") or ""
        value = f"{code}: {message}" if code else message
    text = " ".join(str(value).split()) or "-"
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 3] + "..."


def _shown(record, key, check_mode):
    value = record.get(key)
    if key == "status" and check_mode:
        return CHECK_MODE_WORDS.get(value, value)
    if key == "admin_user" and value and record.get("admin_user_removed"):
        return f"{value} ({'would be removed' if check_mode else 'removed'})"
    return value


def report_table(records, check_mode=False):
    """Render account records as a fixed-width text table, failures first (check mode: "would create"...)."""
    if not isinstance(records, (list, tuple)):
        raise AnsibleFilterError("report_table expects a list of account records")
    ordered = sorted(
        records,
        key=lambda r: (
            STATUS_ORDER.index(r.get("status")) if r.get("status") in STATUS_ORDER else len(STATUS_ORDER),
            str(r.get("account_name") or ""),
            str(r.get("account_id") or ""),
        ),
    )
    rows = [[title for title, _key in COLUMNS]]
    rows.extend([_cell(_shown(record, key, check_mode)) for _title, key in COLUMNS] for record in ordered)
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return lines


def _error_of(failure, failed_task):
    """What went wrong, as the report shows it: task, AWS error code (when AWS said one), message."""
    failure = failure or {}
    # A loop of module runs fails as a whole: the first failed item says why.
    failed_items = [item for item in failure.get("results", []) if isinstance(item, dict) and item.get("failed")]
    if failed_items:
        failure = failed_items[0]
    error = failure.get("error") if isinstance(failure.get("error"), dict) else {}
    return {
        "task": failed_task or None,
        "code": error.get("code") or None,
        "message": " ".join(str(failure.get("msg") or error.get("message") or "unknown error").split()),
    }


def _ran(result):
    return isinstance(result, dict) and not result.get("skipped")


def _kept_of(results, failure):
    """What the modules left alone, each once: ``kept`` of their results (a teardown's foreign or still-used
    entities) and ``refused`` of a failure (a bootstrap that found same-name entities that are not ours)."""
    failure = failure or {}
    failed_items = [item for item in failure.get("results", []) if isinstance(item, dict) and item.get("failed")]
    lists = [result.get("kept") for result in results] + [item.get("refused") for item in [failure] + failed_items]
    kept = []
    for items in lists:
        for item in items or []:
            if isinstance(item, dict) and item not in kept:
                kept.append({key: item.get(key) for key in ("kind", "name", "reason")})
    return kept


def account_record(identity, results=None, failure=None, failed_task=None):
    """One account's line in the run report, built from the module results of account_bootstrap.

    ``results``: ``iam_admin`` and ``proton_roles`` (the registered results; a half that did not run is left out or
    skipped) and ``removing``. ``proton_roles`` is the registered result of proton_account_roles (its ``regions`` has
    one entry per region), or of a loop over it (``results`` holds one module result each). ``removing`` (a
    teardown) reports a change as ``removed``. Never copies a password: only where a generated one
    was delivered.
    """
    results = results or {}
    iam_admin, proton_roles = results.get("iam_admin"), results.get("proton_roles")
    removing = bool(results.get("removing"))
    record = dict(identity or {})
    proton_results = [r for r in (proton_roles or {}).get("results", [proton_roles]) if _ran(r)]
    module_results = [r for r in [iam_admin] + proton_results if _ran(r)]
    # One entry per region: a module run's own list (regions in one run), or the run itself (one region a run). A
    # failed run's result names no region it finished (its failure is the record's error).
    region_results = [region for r in proton_results if not r.get("failed")
                      for region in (r["regions"] if "regions" in r else [r]) if region.get("region")]

    removed_user = [item.get("name") for item in (iam_admin or {}).get("removed") or [] if item.get("kind") == "user"]
    # A teardown that removed the user says so, by name: the module's "user after the run" is empty then.
    record["admin_user"] = ((iam_admin.get("user") or {}).get("name") or (removed_user or [None])[0]
                            if _ran(iam_admin) else None)
    record["admin_user_removed"] = bool(removed_user) and _ran(iam_admin)
    record["password_delivered_to"] = [
        where for where in ((iam_admin or {}).get("password_secret_arn"), (iam_admin or {}).get("password_file")) if where
    ]
    role_names = []
    for result in proton_results:
        names = [role.get("name") for role in (result.get("roles") or {}).values() if role]
        for name in names + list(result.get("removed_roles") or []):
            if name and name not in role_names:
                role_names.append(name)
    record["proton_roles"] = role_names
    record["regions"] = [r.get("region") for r in region_results if r.get("region")]
    # Where Proton did not answer (proton_roles_unavailable=warn, or any teardown): settings not written or cleared.
    record["proton_skipped_regions"] = [r.get("region") for r in region_results if r.get("proton_available") is False]
    record["kept"] = _kept_of(module_results, failure)

    if failure is not None:
        record["status"] = "failed"
        record["error"] = _error_of(failure, failed_task)
    elif not module_results:
        record["status"] = "skipped"
        record["error"] = None
    elif record["proton_skipped_regions"] and not removing:
        record["status"] = "proton_skipped"
        record["error"] = None
    elif removing and any(r.get("changed") for r in module_results):
        record["status"] = "removed"
        record["error"] = None
    elif any(r.get("created") for r in module_results):
        record["status"] = "created"
        record["error"] = None
    elif any(r.get("changed") for r in module_results):
        record["status"] = "updated"
        record["error"] = None
    else:
        record["status"] = "unchanged"
        record["error"] = None
    record["changed"] = any(r.get("changed") for r in module_results)
    return record


def _name(record):
    return f"{record.get('account_name') or record.get('host')} ({record.get('account_id') or '-'})"


def report_summary(records, json_path=None, retry_path=None, check_mode=False):
    """The lines a person reads at the end of a run: the table, totals, and where to go next."""
    counts = report_counts(records)
    lines = []
    if check_mode:
        lines.append("Check mode: nothing was changed; this is what a real run would do.")
    lines.extend(report_table(records, check_mode))
    lines.append("")
    lines.append("Totals: " + ", ".join(f"{CHECK_MODE_WORDS.get(status, status) if check_mode else status} {number}"
                                        for status, number in counts.items()))
    skipped = [record for record in records if record.get("proton_skipped_regions")]
    if skipped:
        lines.append("AWS Proton did not answer (end of support), so its account settings were not "
                     + ("cleared" if any(record.get("status") == "removed" for record in skipped) else "written")
                     + " in:")
        lines.extend(f"  {_name(record)}: {', '.join(record['proton_skipped_regions'])}" for record in skipped)
    not_attempted = [record for record in records if record.get("status") == "not_attempted"]
    if not_attempted:
        lines.append("Not attempted (protonkit_max_fail_percentage was exceeded before their turn): "
                     + ", ".join(_name(record) for record in not_attempted))
    kept = [(record, item) for record in records for item in record.get("kept") or []]
    if kept:
        lines.append("Left as they are (not created by protonkit.accounts, or still in use):")
        lines.extend(f"  {_name(record)}: {item['kind']} {item['name']}: {item['reason']}" for record, item in kept)
    if json_path:
        lines.append(f"JSON report: {json_path}")
    if (counts["failed"] or counts["not_attempted"]) and retry_path:
        lines.append(f"Rerun only the failed (and not attempted) accounts: add --limit @{retry_path} to the same command.")
    return lines


def collect_records(hosts, hostvars):
    """The record of each host; a host that never ran (for example outside --limit) is 'skipped'."""
    records = []
    for host in hosts or []:
        record = hostvars[host].get("account_bootstrap_record") if host in hostvars else None
        records.append(record or {"host": host, "account_name": host, "status": "skipped"})
    return records


def merge_records(earlier, records):
    """The records of an earlier report with those of this run in their place (a ``--limit`` rerun): the accounts
    this run did not cover keep their earlier record, in the earlier order; accounts new to the report go last."""
    if not isinstance(earlier, (list, tuple)) or not isinstance(records, (list, tuple)):
        raise AnsibleFilterError("merge_records expects two lists of account records")
    current = {record.get("host"): record for record in records}
    merged = [current.pop(record.get("host"), record) for record in earlier if isinstance(record, dict)]
    return merged + [record for record in records if record.get("host") in current]


def report_counts(records):
    """Count records per status, every status present (zero when none)."""
    counts = {status: 0 for status in STATUS_ORDER}
    for record in records or []:
        status = record.get("status")
        counts[status] = counts.get(status, 0) + 1
    return counts


class FilterModule:
    def filters(self):
        return {
            "account_record": account_record,
            "collect_records": collect_records,
            "merge_records": merge_records,
            "report_counts": report_counts,
            "report_summary": report_summary,
            "report_table": report_table,
        }
