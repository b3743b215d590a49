# -*- coding: utf-8 -*-
# Copyright: Contributors to the protonkit.accounts collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    # The action plugins that do all their work on the controller, with no module code to run (their documentation
    # stubs are in plugins/modules/). A plugin may still word an attribute its own way.
    DOCUMENTATION = r"""
options: {}
attributes:
  action:
    support: full
    description: An action plugin, run on the controller.
  platform:
    support: full
    platforms: all
    description: Runs on the controller, whatever the target host.
"""
