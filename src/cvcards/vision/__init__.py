"""Reference implementations of the computer vision maths the decks ask about.

Each module is small, vectorised NumPy with no plotting: boxes and IoU, NMS and
box fusion, average precision (VOC and COCO), segmentation metrics, calibration,
classification losses and box-aware augmentations. Diagrams draw with these
functions, and coding drills check learners' answers against them.

This file imports nothing, so that ``import cvcards.vision.boxes`` costs only
NumPy and the module itself.
"""
