"""Estimating the difficulty: split plans, runners, the collection of their results,
accumulators, prediction checks, the rules of each task, the settings and
:class:`~skdifficulty.DifficultyEstimator`."""
