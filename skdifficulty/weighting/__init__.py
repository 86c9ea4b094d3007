"""Turning difficulty into weights: rank modes, cut-offs and exact arithmetic behind :func:`~skdifficulty.difficulty_weights`."""
