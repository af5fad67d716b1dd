from django.urls import path

from . import views

app_name = "outreach_purchases"

urlpatterns = [
    path("", views.board, name="board"),
    path("mine/", views.mine, name="mine"),
    path("elders/<int:pk>/order/", views.request_new, name="request"),
    path("orders/", views.order_list, name="orders"),
    path("orders/<int:pk>/", views.order_detail, name="order"),
    path("orders/<int:pk>/cancel/", views.order_cancel, name="order_cancel"),
    path("orders/<int:pk>/deliver/", views.order_deliver, name="order_deliver"),
    path("orders/<int:pk>/pay/", views.order_pay, name="order_pay"),
    path("runs/", views.run_list, name="runs"),
    path("runs/make/", views.run_make, name="run_make"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/orders/<int:order>/pack/", views.run_pack, name="pack"),
    path("runs/<int:pk>/hand-over/", views.run_hand_over, name="hand_over"),
]
