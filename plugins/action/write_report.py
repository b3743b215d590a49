# -*- coding: utf-8 -*-
# Copyright: Contributors to the protonkit.accounts collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write a run's report and retry file on the controller (documentation: plugins/modules/write_report.py).

ansible.builtin.copy with content costs two module processes (stat, then copy) and file one more, about three
CPU-seconds at the end of every run; the report never leaves the controller, so it is written from here.
"""

import os
import tempfile

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

ARGUMENT_SPEC = dict(
    path=dict(type="path", required=True),
    content=dict(type="str", required=True),
    retry_path=dict(type="path", required=True),
    retry_hosts=dict(type="list", elements="str", default=[]),
)
PRIVATE = 0o600  # account ids, names, errors and where passwords went: for the runner's eyes only


def write_private_file(path, text):
    """Replace ``path`` with ``text`` at once (a reader never sees half a report), mode 0600 from the start."""
    directory, name = os.path.split(path)
    descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=f".{name}.")  # mkstemp creates it 0600
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(temporary, PRIVATE)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False
    _supports_check_mode = True  # the report is the run's output, written in check mode too (an audit)
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        path, retry_path = os.path.abspath(args["path"]), os.path.abspath(args["retry_path"])
        try:
            write_private_file(path, args["content"])
        except OSError as e:
            raise AnsibleActionFail(f"path: cannot write the report to {path} ({e.strerror}); choose a writable "
                                    "file in an existing directory") from e
        retry_removed = False
        try:
            if args["retry_hosts"]:
                write_private_file(retry_path, "".join(f"{host}\n" for host in args["retry_hosts"]))
            elif os.path.lexists(retry_path):
                # A stale retry file would rerun accounts that no longer need it.
                os.unlink(retry_path)
                retry_removed = True
        except OSError as e:
            raise AnsibleActionFail(f"retry_path: cannot write or remove the retry file {retry_path} ({e.strerror}); "
                                    "choose a writable file in an existing directory") from e
        result.update(changed=False, path=path, retry_path=retry_path if args["retry_hosts"] else None,
                      retry_removed=retry_removed)
        return result
