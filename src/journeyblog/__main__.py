"""`python -m journeyblog`."""

from journeyblog.cli import main

main()
