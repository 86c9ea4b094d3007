"""skorch nets: the weighted nets, the stacked engine and training dynamics.

Importing this package imports neither torch nor skorch; its modules that do
are imported only when a net is given. The public faces are
:mod:`skdifficulty.skorch` and :mod:`skdifficulty.dynamics`.
"""
