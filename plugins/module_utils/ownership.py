# -*- coding: utf-8 -*-
# Copyright: Contributors to the protonkit.accounts collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What marks an AWS resource as this collection's: one tag, the same on IAM entities and on secrets, so that a
module never writes into (or deletes) something someone else made that merely has the name it was given."""

OWNERSHIP_TAG_KEY = "protonkit:managed-by"
OWNERSHIP_TAG_VALUE = "protonkit.accounts"


def ownership_tags():
    """The tag to put on what the collection creates or adopts, as an Ansible tag dict."""
    return {OWNERSHIP_TAG_KEY: OWNERSHIP_TAG_VALUE}


def is_owned(tags):
    """Whether an Ansible tag dict carries our ownership tag."""
    return (tags or {}).get(OWNERSHIP_TAG_KEY) == OWNERSHIP_TAG_VALUE


def with_ownership_tag(tags):
    """``tags`` (None: none asked for) plus the ownership tag: the tags of what the collection creates or adopts."""
    return dict(tags or {}, **ownership_tags())


def refused(kind, name, reason):
    """One thing a module will not touch (or, on removal, kept): ``{kind, name, reason}``, as modules return it."""
    return {"kind": kind, "name": name, "reason": reason}


def refusal_message(refusals, adopt_variable):
    """The error of a module that found, under the names it was given, things that are not the collection's.

    Names each thing and why it is not ours, says that nothing was written, and names the option (and the role
    variable) that takes them over knowingly."""
    things = "; ".join(f"{item['kind']} {item['name']}: {item['reason']}" for item in refusals)
    return (f"Not created by protonkit.accounts, so not changed: {things}. Nothing was written in this account. To take "
            f"{'it' if len(refusals) == 1 else 'them'} over knowingly, set adopt: true ({adopt_variable} in the "
            f"roles): adopted entities are tagged {OWNERSHIP_TAG_KEY}={OWNERSHIP_TAG_VALUE}, then managed like the "
            "ones this collection creates, and removed by its teardown.")
