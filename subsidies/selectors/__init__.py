"""Reads of the subsidies app, scoped to the viewing user: `applications` (intake and review) and
`policies` (policy versions and the monthly-run reports, re-exported here for their callers)."""

from .policies import REPORT_ROLES, Change, ReportLine, RunReport, policy_versions_for, run_report, runs_for

__all__ = ["REPORT_ROLES", "Change", "ReportLine", "RunReport", "policy_versions_for", "run_report", "runs_for"]
