"""Menu entries of the policy and monthly-run pages."""

from django.utils.translation import gettext_lazy as _

from eldercare.nav import NavItem

NAV_ITEMS = (
    NavItem(_("Subsidy standards"), "policy_list", ("district_reviewer", "finance", "supervisor", "sysadmin"), 40),
    NavItem(
        _("Monthly subsidy runs"),
        "subsidy_run_list",
        ("district_reviewer", "street_reviewer", "finance", "supervisor", "sysadmin"),
        45,
    ),
)
