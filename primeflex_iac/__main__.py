"""`python -m primeflex_iac ...`: the `primeflex` command, where the script is not on PATH."""

import sys

from primeflex_iac.cli.main import main

sys.exit(main())
