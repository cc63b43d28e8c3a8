from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from pledges.urls import files, pages

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include((files, "pledges"), namespace="files")),
    *i18n_patterns(path("", include((pages, "pledges"), namespace="pledges"))),
]
