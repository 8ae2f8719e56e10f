from django.urls import path

from . import views

app_name = "payment_sandbox"

urlpatterns = [
    path("<str:payment_code>/", views.payment_page, name="pay"),
    path("<str:payment_code>/done/", views.payment_done, name="done"),
]
