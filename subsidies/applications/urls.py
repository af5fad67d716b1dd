"""URL patterns of the intake and review pages, namespaced "subsidies:" (mounted under /subsidies/ by ApplicationsConfig)."""

from django.urls import path

from . import views as v

app_name = "subsidies"

urlpatterns = [
    path("applications/", v.application_list_view, name="application_list"),
    path("applications/new/", v.application_file_view, name="application_file"),
    path("applications/<int:pk>/", v.application_detail_view, name="application_detail"),
    path("applications/<int:pk>/act/<slug:action>/", v.application_act_view, name="application_act"),
    path("applications/<int:pk>/materials/", v.material_upload_view, name="material_upload"),
    path("applications/<int:pk>/objections/", v.objection_record_view, name="objection_record"),
    path("applications/<int:pk>/assess/", v.assessment_view, name="assessment"),
    path("applications/<int:pk>/decision.pdf", v.decision_download_view, name="decision_download"),
    path("applications/<int:pk>/approval-form.pdf", v.approval_form_view, name="approval_form"),
    path("materials/<int:pk>/", v.material_download_view, name="material_download"),
    path("objections/<int:pk>/resolve/", v.objection_resolve_view, name="objection_resolve"),
    path("batches/", v.batch_list_view, name="batch_list"),
    path("batches/<int:pk>/", v.batch_detail_view, name="batch_detail"),
    path("batches/<int:pk>/schedule/", v.batch_schedule_view, name="batch_schedule"),
    path("batches/<int:pk>/notice/", v.batch_notice_view, name="batch_notice"),
    path("batches/<int:pk>/notice.pdf", v.batch_notice_pdf_view, name="batch_notice_pdf"),
    path("batches/<int:pk>/notice-list/<int:community_id>.pdf", v.notice_list_pdf_view, name="notice_list_pdf"),
    path("runs/<str:month>/roster/<int:division_id>.pdf", v.roster_pdf_view, name="roster_pdf"),
    path("runs/<str:month>/roster/<int:division_id>.xlsx", v.roster_xlsx_view, name="roster_xlsx"),
]

# The public page a document's QR code opens, at the root of the site (/verify/<token>/), outside the
# namespace: its address is printed on paper and must not move with the pages.
verify_urlpatterns = [path("<str:token>/", v.document_verify_view, name="document_verify")]
