"""`python -m converter`: the same program as the `convert` command."""

from converter.cli import main

main()
