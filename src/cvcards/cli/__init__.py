"""The ``cvcards`` command: a click group whose subcommands load on demand.

Each subcommand lives in its own module under ``cvcards.cli`` and is imported
only when it runs, so ``cvcards --help`` stays as fast as importing click.
Errors raised by the library become messages here: exit status 1 for problems
found at run time, 2 for usage errors (click's own convention).
"""

from __future__ import annotations

import importlib
from typing import Any

import click

from cvcards import __version__

# name -> (module, attribute, one-line help shown by ``cvcards --help``)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "build": ("cvcards.cli.build", "build", "Compile the decks into an Anki package."),
    "check": ("cvcards.cli.build", "check", "Check the decks; report every problem."),
    "schema": ("cvcards.cli.build", "schema", "Print the JSON Schema of a deck file."),
    "diagrams": (
        "cvcards.cli.diagrams",
        "diagrams",
        "Render the diagrams (all, or the named ones).",
    ),
    "review": ("cvcards.cli.review", "review", "Review today's due cards."),
    "status": ("cvcards.cli.review", "status", "Show what is due, without reviewing."),
}


class LazyGroup(click.Group):
    """A group that imports a subcommand's module only when it is invoked."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module_name, attribute, _ = COMMANDS[cmd_name]
        command: click.Command = getattr(
            importlib.import_module(module_name), attribute
        )
        return command

    def invoke(self, ctx: click.Context) -> Any:
        from cvcards.errors import CvcardsError

        try:
            return super().invoke(ctx)
        except CvcardsError as error:
            # ClickException prints "Error: ..." on stderr and exits with 1.
            raise click.ClickException(str(error)) from error

    def format_commands(
        self, ctx: click.Context, formatter: click.HelpFormatter
    ) -> None:
        # Listing help text from COMMANDS avoids importing every subcommand module.
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cvcards")
def cli() -> None:
    """Flashcards for computer vision engineer interviews.

    \b
    Build the Anki deck:       cvcards build
    Check edited decks:        cvcards check --decks ./my-decks
    Review in the terminal:    cvcards review
    """


def main(argv: list[str] | None = None) -> Any:
    """Run the command line (the ``cvcards`` console script)."""
    return cli.main(args=argv, prog_name="cvcards")
