"""The frozen app's entry point: the same `enhancer` command the package installs."""

import sys

from enhancer.cli import main

if __name__ == "__main__":
    sys.exit(main())
