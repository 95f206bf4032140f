"""Allow ``python -m cvcards`` as an alias of the ``cvcards`` command."""

from cvcards.cli import main

main()
