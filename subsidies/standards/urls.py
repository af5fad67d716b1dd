"""URL patterns of the policy and monthly-run pages (mounted under /subsidies/ by StandardsConfig)."""

from django.urls import path

from . import views as v

urlpatterns = [
    path("policies/", v.policy_list, name="policy_list"),
    path("policies/<int:pk>/new/", v.policy_version_new, name="policy_version_new"),
    path("policies/<int:pk>/withdraw/", v.policy_version_withdraw_view, name="policy_version_withdraw"),
    path("runs/", v.run_list, name="subsidy_run_list"),
    path("runs/rows/", v.run_rows, name="subsidy_run_rows"),
    path("runs/<str:month>/", v.run_report_view, name="subsidy_run_report"),
    path("runs/<str:month>/report.pdf", v.run_report_pdf, name="subsidy_run_pdf"),
    path("runs/<str:month>/report.xlsx", v.run_report_xlsx, name="subsidy_run_xlsx"),
]

# Pages that keep their path under /vouchers/ (mounted there by StandardsConfig).
voucher_patterns = [
    path("elders/<int:elder_pk>/fraud/", v.fraud_view, name="voucher_fraud"),
]
