"""Diagrams drawn from code: a registry of generators and a cached renderer.

Each figure on a card is produced by a named generator from a few parameters,
with every number on it computed by ``cvcards.vision``. The registry
(``cvcards.diagrams.registry``) validates parameters and names the output file
without importing matplotlib; ``cvcards.diagrams.render`` draws what is missing.
"""
