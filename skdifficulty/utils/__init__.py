"""Shared utilities: input validation, scikit-learn compatibility, optional
imports and robust statistics.
"""
