"""cvcards: flashcards and spaced repetition for computer vision interviews.

The package compiles deck sources (YAML with Markdown fields) into atomic cards,
exports them to Anki, draws diagrams from reference implementations of the maths,
and runs FSRS-scheduled review sessions in the terminal.
"""

__version__ = "0.1.0"
