# -*- coding: utf-8 -*-
# Copyright: Contributors to the protonkit.accounts collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""protonkit.accounts.proton_account_roles in the task's worker, where the module would run on the controller with
the controller's Python anyway; elsewhere, the module (plugin_utils/module_in_worker.py says when)."""

from ansible_collections.protonkit.accounts.plugins.module_utils.proton_roles import argument_spec
from ansible_collections.protonkit.accounts.plugins.module_utils.proton_roles import run
from ansible_collections.protonkit.accounts.plugins.plugin_utils.module_in_worker import ModuleInWorkerAction


class ActionModule(ModuleInWorkerAction):
    module_name = "protonkit.accounts.proton_account_roles"
    module_argument_spec = staticmethod(argument_spec)
    module_run = staticmethod(run)
