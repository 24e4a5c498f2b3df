"""Click's own words in Vietnamese: the usage line, the headings of ``--help``, the errors
of a mistyped command, option or value.

Click marks them for gettext (``_`` and ``ngettext`` in each of its modules); ``install``
puts this catalog in their place. It runs before any command is built, since click names
the kind of a path option («TỆP», «THƯ_MỤC») when the option is made; ``name_placeholders``
runs once the commands are built.
"""

from __future__ import annotations

import importlib

import click

# click's message → ours; a value is quoted «…» where click prints repr()
MESSAGES = {
    "Usage:": "Cách dùng:",
    "Options": "Tùy chọn",
    "Positional arguments": "Tham số",
    "Commands": "Lệnh",
    "Show this message and exit.": "In hướng dẫn này rồi thoát.",
    "Show the version and exit.": "In số phiên bản rồi thoát.",
    "%(prog)s, version %(version)s": "%(prog)s, phiên bản %(version)s",
    "Do you want to continue?": "Tiếp tục?",
    "Confirm the action without prompting.": "Làm luôn, không hỏi lại.",
    "Aborted!": "Đã hủy.",
    "deprecated": "không còn dùng",
    "env var: {var}": "biến môi trường: {var}",
    "default: {default}": "mặc định: {default}",
    "(dynamic)": "(tùy lúc chạy)",
    "Error: {message}": "Lỗi: {message}",
    "Try '{command} {option}' for help.": "Xem hướng dẫn: {command} {option}",
    "Missing command.": "Thiếu lệnh.",
    "No such command {name!r}.": "Không có lệnh «{name}».",
    "No such option {name!r}.": "Không có tùy chọn «{name}».",
    "Missing argument": "Thiếu tham số",
    "Missing option": "Thiếu tùy chọn",
    "Missing parameter": "Thiếu tham số",
    "Missing {param_type}": "Thiếu {param_type}",
    "Missing parameter: {param_name}": "Thiếu tham số: {param_name}",
    "Invalid value for {param_hint}: {message}": "Giá trị của {param_hint} không hợp lệ: {message}",
    "Invalid value: {message}": "Giá trị không hợp lệ: {message}",
    "unknown error": "lỗi không rõ",
    "Value must be an iterable.": "Giá trị phải là một danh sách.",
    "Could not open file {filename!r}: {message}": "Không mở được tệp «{filename}»: {message}",
    "Option {name!r} does not take a value.": "Tùy chọn «{name}» không nhận giá trị.",
    "Argument {name!r} takes {nargs} values.": "Tham số «{name}» cần {nargs} giá trị.",
    "Invalid start character for option ({option})":
        "Tùy chọn viết sai ở ký tự đầu ({option})",
    "Press any key to continue...": "Nhấn một phím để tiếp tục...",
    "Repeat for confirmation": "Nhập lại để xác nhận",
    "Error: The two entered values do not match.": "Lỗi: hai lần nhập không giống nhau.",
    "Error: invalid input": "Lỗi: giá trị nhập không hợp lệ",
    "file": "tệp",
    "directory": "thư_mục",
    "path": "đường_dẫn",
    "Choose from:\n\t{choices}": "Chọn một trong:\n\t{choices}",
    "{value} is not in the range {range}.": "{value} không nằm trong khoảng {range}.",
    "{value!r} is not a valid {number_type}.": "«{value}» không phải là số hợp lệ.",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "«{value}» không phải giá trị có/không. Dùng một trong: {states}",
    "{value!r} is not a valid UUID.": "«{value}» không phải mã UUID hợp lệ.",
    "{name} {filename!r} does not exist.": "Không có «{filename}».",
    "{name} {filename!r} is a file.": "«{filename}» là một tệp, ở đây cần một thư mục.",
    "{name} {filename!r} is a directory.": "«{filename}» là một thư mục, ở đây cần một tệp.",
    "{name} {filename!r} is not readable.": "Không đọc được «{filename}».",
    "{name} {filename!r} is not writable.": "Không ghi được vào «{filename}».",
    "{name} {filename!r} is not executable.": "Không chạy được «{filename}».",
}

# click's singular message → ours for one and for many (``ngettext``)
PLURALS = {
    "Got unexpected extra argument ({args})": ("Thừa tham số ({args})", "Thừa tham số ({args})"),
    "Did you mean {possibility}?": ("Có phải là {possibility}?",
                                    "(Có phải là một trong: {possibilities}?)"),
    "Option {name!r} requires an argument.": ("Tùy chọn «{name}» cần một giá trị.",
                                              "Tùy chọn «{name}» cần {nargs} giá trị."),
    "Takes {nargs} values but 1 was given.": ("Cần {nargs} giá trị nhưng chỉ có 1.",
                                              "Cần {nargs} giá trị nhưng có {len}."),
    "{value!r} is not {choice}.": ("«{value}» không phải {choice}.",
                                   "«{value}» không phải một trong {choices}."),
    "{value!r} does not match the format {format}.": (
        "«{value}» không đúng dạng {format}.", "«{value}» không đúng dạng nào trong {formats}."),
    "{len_type} values are required, but {len_value} was given.": (
        "Cần {len_type} giá trị nhưng có {len_value}.",
        "Cần {len_type} giá trị nhưng có {len_value}."),
}

# click's modules that translate what they print
MODULES = ("click.core", "click.decorators", "click.exceptions", "click.formatting",
           "click.parser", "click.termui", "click.types")


def gettext(message: str) -> str:
    return MESSAGES.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    ours = PLURALS.get(singular)
    if ours is None:
        return singular if n == 1 else plural
    return ours[0] if n == 1 else ours[1]


def install() -> None:
    """Make click print this catalog's words (for the whole process)."""
    for name in MODULES:
        module = importlib.import_module(name)
        if hasattr(module, "_"):
            module._ = gettext
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext


def name_placeholders(*commands: click.Command) -> None:
    """The placeholders of the usage lines of ``commands`` and of every command under them in
    Vietnamese: «[TÙY_CHỌN]» for the options, «LỆNH [THAM_SỐ]...» for a group's command."""
    for command in commands:
        command.options_metavar = "[TÙY_CHỌN]"
        if isinstance(command, click.Group):
            command.subcommand_metavar = (command.subcommand_metavar or "").replace(
                "COMMAND", "LỆNH").replace("ARGS", "THAM_SỐ")
            name_placeholders(*command.commands.values())
