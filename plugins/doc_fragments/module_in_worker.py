# -*- coding: utf-8 -*-
# Copyright: Contributors to the protonkit.accounts collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    # The modules whose action plugin runs them in the task's worker (plugins/plugin_utils/module_in_worker.py).
    DOCUMENTATION = r"""
options: {}
notes:
  - Where the task would run the module on the controller with the controller's own Python (the local connection,
    and C(ansible_python_interpreter) set to C(ansible_playbook_python), as the collection's playbooks do; no
    C(become), task C(environment), C(async) or C(delegate_to)), the module's action plugin runs the same code in the
    task's worker instead of a new Python process, with the same argument validation, check mode and diff, and the
    same result (its clients share one boto3 session; a failure's C(exception) always holds the traceback). With
    amazon.aws's O(debug_botocore_endpoint_logs), or the variable C(protonkit_module_process=true), it runs as a
    module process all the same.
"""
