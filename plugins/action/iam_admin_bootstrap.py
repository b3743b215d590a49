# -*- coding: utf-8 -*-
# Copyright: Contributors to the protonkit.accounts collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""protonkit.accounts.iam_admin_bootstrap in the task's worker, where the module would run on the controller with the
controller's Python anyway; elsewhere, the module (plugin_utils/module_in_worker.py says when)."""

from ansible_collections.protonkit.accounts.plugins.module_utils.iam_admin import REQUIRED_BY
from ansible_collections.protonkit.accounts.plugins.module_utils.iam_admin import argument_spec
from ansible_collections.protonkit.accounts.plugins.module_utils.iam_admin import run
from ansible_collections.protonkit.accounts.plugins.plugin_utils.module_in_worker import ModuleInWorkerAction


class ActionModule(ModuleInWorkerAction):
    module_name = "protonkit.accounts.iam_admin_bootstrap"
    module_argument_spec = staticmethod(argument_spec)
    module_required_by = REQUIRED_BY
    module_run = staticmethod(run)
