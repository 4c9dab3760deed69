from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from fugong.core import views as core_views
from fugong.core.auth import LoginView
from fugong.enterprises import views as enterprise_views
from fugong.resumption import views as resumption_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/two-factor/", core_views.two_factor, name="two_factor"),
    path("accounts/api-keys/", core_views.api_keys, name="api_keys"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("imports/<int:pk>/file/", core_views.import_file, name="import_file"),
    path("notifications/", core_views.notifications, name="notifications"),
    path("notifications/<int:pk>/read/", core_views.notification_read, name="notification_read"),
    path("portal/", enterprise_views.portal, name="portal"),
    path("portal/report/", resumption_views.portal_report, name="portal_report"),
    path("", include("fugong.enterprises.urls")),
    path("", include("fugong.resumption.urls")),
    path("", include("fugong.services.urls")),
    path("", include("fugong.factors.urls")),
    path("", include("fugong.policies.urls")),
    path("api/v1/", include("fugong.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api_docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api_redoc"),
    path("admin/login/", core_views.admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
]

handler500 = "fugong.core.views.server_error"

admin.site.site_header = "复工通 后台管理"
admin.site.site_title = "复工通"
admin.site.index_title = "后台管理"
