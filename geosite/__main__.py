"""Run the command line with ``python -m geosite``."""

from geosite.cli import main

raise SystemExit(main())
