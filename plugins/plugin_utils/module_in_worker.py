# -*- coding: utf-8 -*-
# Copyright: Contributors to the protonkit.accounts collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""This collection's modules, run in the task's worker on the controller where the module would run there anyway.

Accounts are not machines: the playbooks run every task on the controller (``connection: local``) with the
controller's own Python (``ansible_python_interpreter: "{{ ansible_playbook_python }}"``). A module run there is
still a new Python process, which imports ansible-core's module code, boto3 and amazon.aws's module_utils again: about
1.3 to 1.8 CPU-seconds, most of what an account costs. The task's worker is already that Python, on that machine, as
that user, with boto3 imported once by the parent before it forked, so the action plugin named as each module
(plugins/action/iam_admin_bootstrap.py, proton_account_roles.py) runs the module's code there instead, with the same
arguments, validation, check mode, diff and result, no_log values masked as ``AnsibleModule`` masks them.

Anywhere the worker would not be the same thing as the module process, the module runs as any module does: another
connection, another interpreter, ``become``, a task ``environment`` (which only a module process gets), ``async``,
``delegate_to``, amazon.aws's botocore endpoint logs (``debug_botocore_endpoint_logs``), or
``protonkit_module_process: true``.

What still differs, knowingly: the clients of one task share one boto3 session (botocore reads its data files once
per session, and a client from a fresh one costs about six times as much), and a failure's ``exception`` always holds
the traceback.
"""

import datetime
import json
import os
import sys
import traceback

try:
    import boto3
    import botocore.config
    import botocore.exceptions
except ImportError:
    pass  # reported by start()

from ansible import constants as C
from ansible.release import __version__ as ansible_version

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible.module_utils.errors import UnsupportedError
from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.common.text.converters import to_native
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible.utils.vars import merge_hash

from ansible_collections.amazon.aws.plugins.module_utils.botocore import AnsibleBotocoreError
from ansible_collections.amazon.aws.plugins.module_utils.botocore import check_sdk_version_supported
from ansible_collections.amazon.aws.plugins.module_utils.botocore import gather_sdk_versions
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.amazon.aws.plugins.module_utils.modules import aws_argument_spec
from ansible_collections.amazon.aws.plugins.plugin_utils.base import AWSPluginBase
from ansible_collections.amazon.aws.plugins.plugin_utils.botocore import get_aws_connection_info

# The variable that makes the modules run as module processes even where the worker could run them.
MODULE_PROCESS_VARIABLE = "protonkit_module_process"


class ModuleFailed(BaseException):
    """The task's failed result, raised where a module would call ``fail_json`` (which raises ``SystemExit``: no
    ``except Exception`` on the way may take it for an error of its own)."""

    def __init__(self, result):
        super().__init__(result.get("msg"))
        self.result = result


class ModuleInWorker(AWSPluginBase):
    """What the modules' code (module_utils/iam_admin.py, proton_roles.py) asks of ``AnsibleAWSModule``, in the
    worker: the validated ``params``, ``check_mode``, ``_diff``, ``no_log_values``, ``region`` (amazon.aws's plugin helper),
    ``client()`` (amazon.aws's connection options and retries, one boto3 session per task), and the failures,
    raised as ``ModuleFailed``."""

    def __init__(self, ansible_name, params, check_mode=False, no_log_values=(), inject_invocation=True, diff=False):
        self.ansible_name = ansible_name
        self.params = params
        self.check_mode = check_mode
        self._diff = diff  # the name AnsibleModule gives it
        self.no_log_values = set(no_log_values)
        self.inject_invocation = inject_invocation
        self._sessions = {}  # profile name -> boto3 session, for every client of the task
        self.warnings_of_the_run = []  # see module_utils/account.py, warn()
        self.argument_errors = []

    @classmethod
    def for_task(cls, action, ansible_name, argument_spec, check_mode, task_vars, required_by=None, **fixed):
        """The module of ``action``'s task: its arguments validated against ``argument_spec`` (amazon.aws's connection
        options added) as ``AnsibleModule`` validates them, ``fixed`` on top. ``start()`` reports what is wrong."""
        spec = dict(aws_argument_spec(), **argument_spec)
        validation = ArgumentSpecValidator(spec, required_by=required_by).validate(dict(action._task.args))
        arguments = validation.validated_parameters
        params = dict({name: arguments.get(name) for name in spec}, **fixed)  # aliases resolved, as AnsibleModule has
        module = cls(ansible_name, params, check_mode, validation._no_log_values, invocation_injected(task_vars),
                     diff=action._task.diff)
        module.argument_errors = validation.errors.errors
        for alias in validation._warnings:
            module.warn(f"Both option {alias['option']} and its alias {alias['alias']} are set.")
        return module

    def start(self):
        """Fail as ``AnsibleAWSModule`` would before the module's code runs: a bad argument, boto3 missing or too old.
        (Not ``AnsibleActionFail``: its message would point at the task's arguments in the playbook.)"""
        if self.argument_errors:
            message = self.argument_errors[0].args[0]
            if isinstance(self.argument_errors[0], UnsupportedError):
                message = f"Unsupported parameters for ({self.ansible_name}) module: {message}"
            self.fail_json(msg=message)
        try:
            check_sdk_version_supported(warn=self.warn)
        except AnsibleBotocoreError as e:
            self.fail_json(msg=to_native(e))

    def get_options(self):
        return self.params

    def _do_fail(self, message):
        self.fail_json(msg=message)

    def warn(self, message):
        self.warnings_of_the_run.append(message)

    def fail_json(self, **result):
        raise ModuleFailed(dict(result, failed=True))

    def client(self, service, retry_decorator=None, **extra_params):
        """A client as amazon.aws's ``client()`` makes it (its connection options, its retries), from the task's one
        boto3 session per profile."""
        region, endpoint_url, connection = get_aws_connection_info(self)
        region = extra_params.pop("region", region)  # as amazon.aws's: the caller's region and endpoint win
        endpoint_url = extra_params.pop("endpoint", endpoint_url)
        connection.update(extra_params)
        profile = connection.pop("profile_name", None)
        config = botocore.config.Config(user_agent_extra=f"APN/1.0 Ansible/{ansible_version} protonkit.accounts")
        extra_config = connection.pop("aws_config", None)
        if extra_config:
            config = config.merge(extra_config if isinstance(extra_config, botocore.config.Config)
                                  else botocore.config.Config(**extra_config))
        try:
            if profile not in self._sessions:
                self._sessions[profile] = boto3.session.Session(profile_name=profile)
            client = self._sessions[profile].client(service, config=config, region_name=region,
                                                    endpoint_url=endpoint_url, **connection)
        except botocore.exceptions.NoRegionError:
            self.fail_json(msg=f"The {self.ansible_name} module requires a region and none was found in "
                               "configuration, environment variables or module parameters")
        except (ValueError, botocore.exceptions.BotoCoreError) as e:
            self.fail_json_aws(e, msg="Couldn't connect to AWS")
        return client if retry_decorator is None else RetryingBotoClientWrapper(client, retry_decorator)

    def fail_json_aws(self, exception, msg=None, **result):
        """As ``AnsibleAWSModule.fail_json_aws``: the message, the SDK's versions, and an AWS error's code and message
        in ``error``."""
        detail = to_native(getattr(exception, "message", None) or exception)
        response = getattr(exception, "response", None)  # a ClientError's; other botocore errors have none
        if response:
            result.update(camel_dict_to_snake_dict(response))
        self.fail_json(msg=f"{msg}: {detail}" if msg else detail, exception=traceback.format_exc(),
                       **gather_sdk_versions(), **result)

    def fail_json_aws_error(self, exception):
        if exception.exception:
            self.fail_json_aws(exception.exception, msg=exception.message)
        self.fail_json(msg=exception.message)

    def result_of(self, result):
        """``result`` as the module would return it: plain JSON data, its warnings, no no_log value anywhere."""
        if self.warnings_of_the_run:
            result["warnings"] = list(result.get("warnings", [])) + self.warnings_of_the_run
        if self.inject_invocation:
            result["invocation"] = {"module_args": self.params}
        return remove_values(json.loads(json.dumps(result, default=_json_value)), self.no_log_values)


def _json_value(value):
    """What the modules' JSON encoder makes of the values JSON has no type for."""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, (set, tuple)):
        return list(value)
    return str(value)


def invocation_injected(task_vars):
    """Whether a module's result echoes its arguments (``invocation``): always before ansible-core 2.21, where
    INJECT_INVOCATION (default false) decides."""
    if "INJECT_INVOCATION" not in C.config.get_configuration_definitions():
        return True
    return boolean(C.config.get_config_value("INJECT_INVOCATION", variables=task_vars), strict=False)


class ModuleInWorkerAction(ActionBase):
    """The action plugin of one of this collection's modules (see the module docstring above). Subclasses name the
    module and give its argument spec and its ``run(module)`` (the module's work, returning its result)."""

    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = True  # as a module process

    module_name = None
    module_argument_spec = None  # a function returning the module's own options (amazon.aws's are added)
    module_required_by = None
    module_run = None

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        if self._module_process_needed(task_vars):
            wrap_async = self._task.async_val and not self._connection.has_native_async
            result = merge_hash(result, self._execute_module(module_name=self.module_name, task_vars=task_vars,
                                                             wrap_async=wrap_async))
            if not wrap_async:
                self._remove_tmp_path(self._connection._shell.tmpdir)
            return result
        result.update(self._run_in_worker(task_vars))
        return result

    def _module_process_needed(self, task_vars):
        """Whether the worker is not the module process's equal here (the module docstring above)."""
        interpreter = self._templar.template(task_vars.get("ansible_python_interpreter") or "")
        return (
            self._connection.transport not in ("local", "ansible.builtin.local")
            or not interpreter
            or os.path.abspath(str(interpreter)) != os.path.abspath(sys.executable)
            or self._play_context.become
            or any(self._task.environment or [])
            or self._task.async_val
            or self._task.delegate_to
            or boolean(self._task.args.get("debug_botocore_endpoint_logs")
                       or os.environ.get("ANSIBLE_DEBUG_BOTOCORE_LOGS") or False, strict=False)
            or boolean(self._templar.template(task_vars.get(MODULE_PROCESS_VARIABLE, False)), strict=False)
        )

    def _run_in_worker(self, task_vars):
        module = ModuleInWorker.for_task(self, self.module_name, self.module_argument_spec(), self._task.check_mode,
                                         task_vars, required_by=self.module_required_by)
        # A local module process runs in the playbook's directory, where a relative path (password_file) points.
        # The worker runs this task only, and goes back all the same.
        started_in = os.getcwd()
        os.chdir(self._loader.get_basedir())
        try:
            module.start()
            result = self.module_run(module)
        except ModuleFailed as e:
            result = e.result
        except Exception as e:  # a bug: reported as a module's traceback would be, without a no_log value
            result = dict(failed=True, msg=f"{self.module_name} failed unexpectedly: {to_native(e)}",
                          exception=traceback.format_exc())
        finally:
            os.chdir(started_in)
        return module.result_of(result)
