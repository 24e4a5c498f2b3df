"""Entry script for the PyInstaller build (outside the package so ``import gnapp`` resolves)."""

import sys

from gnapp.__main__ import main

sys.exit(main())
