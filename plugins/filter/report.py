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
STATUS_ORDER = ("failed", "created", "updated", "unchanged", "skipped")
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


def report_table(records):
    """Render account records as a fixed-width text table, failures first."""
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
    rows.extend([_cell(record.get(key)) for _title, key in COLUMNS] for record in ordered)
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return lines


def report_counts(records):
    """Count records per status, every status present (zero when none)."""
    counts = {status: 0 for status in STATUS_ORDER}
    for record in records or []:
        status = record.get("status")
        counts[status] = counts.get(status, 0) + 1
    return counts


class FilterModule:
    def filters(self):
        return {"report_table": report_table, "report_counts": report_counts}
