"""Turning difficulty into weights: the rank, label and cut-off modes, and the
exact arithmetic behind :func:`~skdifficulty.difficulty_weights`.
"""
