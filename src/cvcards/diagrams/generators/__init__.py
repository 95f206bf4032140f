"""One module per diagram generator, each exposing ``draw(params) -> Figure``.

A generator receives parameters already validated and normalised by the
registry, computes every number it shows with ``cvcards.vision``, and draws on
a figure from ``cvcards.diagrams.style.new_figure``. The registry hashes each
module's source into the figure's file name, so a module holds exactly one
generator.
"""
