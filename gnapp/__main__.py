"""``python -m gnapp`` and the ``gnapp`` console script.

``--selftest DIR`` (or ``--selftest=DIR``) as the first argument runs the self-test of the
installation (``gnapp.selftest``) instead of the command line; every other use goes to the
click CLI (``gnapp.cli``).
"""

import sys

SELFTEST_OPTION = "--selftest"


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and (args[0] == SELFTEST_OPTION or args[0].startswith(SELFTEST_OPTION + "=")):
        from gnapp import selftest

        first = args[0].split("=", 1)
        return selftest.main(first[1:] + args[1:])

    from gnapp.cli import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main())
