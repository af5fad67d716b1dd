"""Menu entries of the standards and the monthly runs."""

from django.utils.translation import gettext_lazy

from eldercare.nav import NavGroup, NavItem

NAV_ITEMS = (
    NavItem(
        gettext_lazy("Subsidy standards"),
        "policy_list",
        ("district_reviewer", "finance", "supervisor", "sysadmin"),
        40,
        NavGroup.SUBSIDIES,
    ),
    NavItem(
        gettext_lazy("Monthly subsidy runs"),
        "subsidy_run_list",
        ("district_reviewer", "street_reviewer", "finance", "supervisor", "sysadmin"),
        45,
        NavGroup.SUBSIDIES,
    ),
)
