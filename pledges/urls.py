from django.urls import path

from . import views

app_name = "pledges"

urlpatterns = [
    path("", views.pledge_list, name="list"),
    path("pledges/<slug:slug>/", views.pledge_detail, name="detail"),
]
