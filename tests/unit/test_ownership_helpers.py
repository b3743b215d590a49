from ansible_collections.protonkit.accounts.plugins.module_utils.ownership import is_owned
from ansible_collections.protonkit.accounts.plugins.module_utils.ownership import refusal_message
from ansible_collections.protonkit.accounts.plugins.module_utils.ownership import refused
from ansible_collections.protonkit.accounts.plugins.module_utils.ownership import with_ownership_tag

OWNED = {"protonkit:managed-by": "protonkit.accounts"}


def test_the_ownership_tag_is_added_to_any_tags_and_wins():
    assert with_ownership_tag(None) == OWNED
    assert with_ownership_tag({"owner": "a"}) == {"owner": "a", **OWNED}
    assert with_ownership_tag({"protonkit:managed-by": "me"}) == OWNED
    assert is_owned(with_ownership_tag({})) and not is_owned({"protonkit:managed-by": "me"}) and not is_owned(None)


def test_refusal_message_names_each_entity_why_and_the_option():
    message = refusal_message([refused("user", "Administrator", "it is at path '/people/'"),
                               refused("group", "Administrators", "it has members (bob)")], "iam_admin_adopt")
    assert message.startswith("Not created by protonkit.accounts, so not changed: user Administrator: it is at path "
                              "'/people/'; group Administrators: it has members (bob). Nothing was written")
    assert "take them over knowingly, set adopt: true (iam_admin_adopt in the roles)" in message
    assert "take it over" in refusal_message([refused("role", "R", "x")], "proton_roles_adopt")
