#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the protonkit.accounts collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# The documentation of the protonkit.accounts.write_report action plugin (plugins/action/write_report.py), which does
# the work on the controller: there is no module code to run.

DOCUMENTATION = r"""
module: write_report
short_description: Write a run's report and retry file on the controller
version_added: 0.3.0
author: protonkit maintainers (@protonkit)
description:
  - Writes the report of a run (any text, the P(protonkit.accounts.account_report#role) role gives JSON) and the
    retry file of the hosts to rerun, both mode C(0600), each replaced at once so that a reader never sees half of
    it. Without hosts to rerun, a retry file left by an earlier run is removed.
  - Runs on the controller, inside the task's own Ansible worker, without module processes (M(ansible.builtin.copy)
    costs two of them per file).
  - The files are the run's output, not state. The result never reports a change, and they are written in check mode
    too.
options:
  path:
    description: The report file. Its directory must exist.
    type: path
    required: true
  content:
    description: What the report file holds.
    type: str
    required: true
  retry_path:
    description: The retry file, one host per line, for C(ansible-playbook --limit @<retry_path>).
    type: path
    required: true
  retry_hosts:
    description: The hosts to rerun; empty removes an existing O(retry_path).
    type: list
    elements: str
    default: []
attributes:
  check_mode:
    support: full
    description: Writes the files in check mode too; a check run's report says that it is one.
  diff_mode:
    support: none
    description: The files are output, not state.
  platform:
    support: full
    platforms: all
    description: Writes on the controller, whatever the target host.
extends_documentation_fragment:
  - protonkit.accounts.controller_action
seealso:
  - module: ansible.builtin.copy
"""

EXAMPLES = r"""
- name: Write the report and the retry file
  protonkit.accounts.write_report:
    path: /var/tmp/run-report.json
    content: "{{ {'failed': failed_hosts} | to_nice_json }}\n"
    retry_path: /var/tmp/run.retry
    retry_hosts: "{{ failed_hosts }}"
  run_once: true
"""

RETURN = r"""
path:
  description: Absolute path of the report file written.
  returned: success
  type: str
  sample: /home/runner/protonkit-bootstrap-report.json
retry_path:
  description: Absolute path of the retry file written; null when there were no hosts to rerun.
  returned: success
  type: str
  sample: /home/runner/protonkit-bootstrap.retry
retry_removed:
  description: Whether a retry file left by an earlier run was removed.
  returned: success
  type: bool
"""
