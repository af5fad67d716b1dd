from django.urls import path

from . import views

urlpatterns = [
    path("", views.account_list_view, name="voucher_accounts"),
    path("accounts/<int:pk>/", views.account_detail_view, name="voucher_account"),
    path("elders/<int:elder_pk>/", views.elder_accounts_view, name="voucher_elder"),
    path("elders/<int:elder_pk>/statement/", views.statement_pick_view, name="voucher_statement_pick"),
    path("elders/<int:elder_pk>/statement/<str:month>.pdf", views.statement_pdf_view, name="voucher_statement"),
    path("elders/<int:elder_pk>/freeze/", views.freeze_view, name="voucher_freeze"),
    path("elders/<int:elder_pk>/unfreeze/", views.unfreeze_view, name="voucher_unfreeze"),
    path("elders/<int:elder_pk>/cancel/", views.cancel_view, name="voucher_cancel"),
    path("elders/<int:elder_pk>/personal/<str:action>/", views.counter_view, name="voucher_counter"),
    path("elders/<int:elder_pk>/receipts/<int:pk>/", views.receipt_view, name="voucher_receipt"),
]
