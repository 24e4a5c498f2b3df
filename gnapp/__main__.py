"""``python -m gnapp`` and the ``gnapp`` console script."""

import sys


def main() -> int:
    from gnapp.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
