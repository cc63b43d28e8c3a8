from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from config.health import healthz
from pledges.public.api import api
from pledges.public.urls import files, pages

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include((files, "pledges"), namespace="files")),
    *i18n_patterns(path("", include((pages, "pledges"), namespace="pledges"))),
]

handler404 = "pledges.public.views.page_not_found"
