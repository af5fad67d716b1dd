from . import admin_policies  # noqa: F401  (policy versions, runs, grants, refusals)
