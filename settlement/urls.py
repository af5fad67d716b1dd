from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard_view, name="settlement_dashboard"),
    path("months/<str:month>/", views.month_view, name="settlement_month"),
    path("months/<str:month>/confirm/", views.month_confirm_view, name="settlement_month_confirm"),
    path(
        "months/<str:month>/statements/<int:provider_id>.pdf", views.statement_pdf_view, name="settlement_statement_pdf"
    ),
    path(
        "months/<str:month>/statements/<int:provider_id>.xlsx",
        views.statement_xlsx_view,
        name="settlement_statement_xlsx",
    ),
    path("quarters/settle/", views.quarter_settle_view, name="settlement_quarter_settle"),
    path("quarters/<str:quarter>/", views.quarter_view, name="settlement_quarter"),
    path("quarters/<str:quarter>/approve/", views.quarter_approve_view, name="settlement_quarter_approve"),
    path("quarters/<str:quarter>/send-back/", views.quarter_send_back_view, name="settlement_quarter_send_back"),
    path("quarters/<str:quarter>/reports/", views.report_request_view, name="settlement_report_request"),
    path("claims/", views.claims_view, name="settlement_claims"),
    path("claims/<int:pk>/", views.claim_view, name="settlement_claim"),
    path("claims/<int:pk>/receipts/", views.claim_receipt_view, name="settlement_claim_receipt"),
    path("reports/<int:pk>/", views.report_status_view, name="settlement_report_status"),
    path("reports/<int:pk>/download/", views.report_download_view, name="settlement_report_download"),
]
