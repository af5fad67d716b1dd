from outreach.inspections import services


def add_problem(inspection, by, *, unit=None, provider=None, severity="major", deadline=None, **kwargs):
    return services.problem_add(
        inspection=inspection,
        by=by,
        category=kwargs.pop("category", "records"),
        description=kwargs.pop("description", "独居老人三天未联系"),
        severity=severity,
        unit_kind="provider" if provider else "community",
        unit_community=None if provider else (unit or inspection.community),
        unit_provider=provider,
        deadline=deadline,
    )
