"""`python -m onegrid` runs the command line."""

from onegrid.cli import main

main()
