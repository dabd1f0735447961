"""`python -m llada_demo ...` runs the command-line interface."""

from .cli import main

raise SystemExit(main())
