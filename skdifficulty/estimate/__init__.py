"""Estimating the difficulty: split plans, runners, accumulators, prediction checks and :class:`~skdifficulty.DifficultyEstimator`."""
