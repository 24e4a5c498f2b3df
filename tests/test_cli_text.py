"""The Vietnamese catalog of click's own messages (``gnapp.cli_text``) against the click
that is installed: every message it translates is still one click prints, and every message
click prints to a user has a translation (a new click with new messages fails here)."""

import ast
from pathlib import Path

import click

from gnapp import cli_text

# what click says only to a programmer who built a command wrongly, or on a shell or editor
# gnapp does not use
NOT_FOR_USERS = {
    "Could not determine name for option with declarations {decls!r}",
    "No options defined but a name was passed ({name}). Did you mean to declare an argument "
    "instead? Did you mean to pass '--{name}'?",
    "Arguments take exactly one parameter declaration, got {length}: {decls}.",
    "Name '{name}' defined twice",
    "Boolean option {decl!r} cannot use the same flag for true/false.",
    "DeprecationWarning: The command {name!r} is deprecated.{extra_message}",
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}",
    "Choice({choices})", "Unknown color {colour!r}", "Unknown standard stream '{name}'",
    "{editor}: Editing failed", "{editor}: Editing failed: {e}", "Windows error: {error}",
    "Couldn't detect Bash version, shell completion is not supported.",
    "Shell completion is not supported for Bash versions older than 4.4.", "d",
}


def _click_messages() -> dict[str, str]:
    """Each message click marks for translation → the module it is in (singular forms)."""
    found = {}
    for path in sorted(Path(click.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in ("_", "ngettext") and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)):
                found[node.args[0].value] = f"click.{path.stem}"
    return found


def test_every_message_click_shows_a_user_is_translated_and_still_in_click():
    messages = _click_messages()
    ours = set(cli_text.MESSAGES) | set(cli_text.PLURALS)
    assert ours <= set(messages), sorted(ours - set(messages))
    assert set(messages) - ours - NOT_FOR_USERS == set()
    for message, module in messages.items():
        if message in ours:
            assert module in cli_text.MODULES, (message, module)


def test_translations_take_the_same_fields_as_click_messages():
    """A translation uses no field click does not pass (``format`` would fail)."""
    import string

    def fields(text):
        return {name.split("!")[0] for _, name, _, _ in string.Formatter().parse(text) if name}

    for message, ours in cli_text.MESSAGES.items():
        assert fields(ours) <= fields(message), message
    for message, (one, many) in cli_text.PLURALS.items():
        plural_fields = fields(message) | {"possibilities", "nargs", "len", "choices", "formats"}
        assert fields(one) | fields(many) <= plural_fields, message
