"""Subsidies: two apps. `subsidies.standards` (schemes, dated policy versions, assessments,
entitlements, the monthly run) sits below `subsidies.applications` (intake batches, applications,
review and public notice, the assessor's work, decision notices), which creates entitlements."""
