# -*- coding: utf-8 -*-
# Copyright: Contributors to the protonkit.accounts collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: cwd
author: protonkit maintainers (@protonkit)
version_added: 0.2.0
short_description: The directory ansible-playbook was started from
description:
  - Returns the working directory of the Ansible process on the controller, the directory C(ansible-playbook) was
    started from, as the operating system knows it.
  - Unlike C(lookup('ansible.builtin.env', 'PWD')), it does not depend on the shell's E(PWD) variable, which is
    unset when Ansible is started by something other than a shell (cron, systemd, a CI runner, C(subprocess)), and
    stale when the process that started it changed directory without updating it.
  - The P(protonkit.accounts.account_report#role) role writes its files there by default.
options: {}
notes:
  - Takes no terms. Runs on the controller, like every lookup.
"""

EXAMPLES = r"""
- name: Write a file next to where the playbook was started
  ansible.builtin.copy:
    dest: "{{ lookup('protonkit.accounts.cwd') }}/run.txt"
    content: done
    mode: "0600"
"""

RETURN = r"""
_raw:
  description: The absolute path of the working directory, as a one-element list.
  type: list
  elements: str
"""

import os

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        if terms:
            raise AnsibleLookupError("protonkit.accounts.cwd takes no terms: use lookup('protonkit.accounts.cwd')")
        try:
            # The workers Ansible forks for tasks inherit the cwd of ansible-playbook, which never changes it.
            return [os.getcwd()]
        except OSError as e:  # the directory was removed (or made unreadable) after ansible-playbook started
            raise AnsibleLookupError(f"the directory ansible-playbook was started from is gone ({e.strerror}); "
                                     "start it from an existing directory, or give an explicit path") from e
