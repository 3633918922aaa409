"""System checks: the public addresses Relais writes into ``content/`` are web addresses.

``RELAIS_SITE_URL`` becomes each item's ``canonical_url`` and ``RELAIS_CMS_URL`` the sign-up
and counter addresses of ``site.yaml``; the build refuses anything but ``http(s)://host``, so
a wrong value is reported when Django starts rather than by every build.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

from relais.urls import UnsafeURL, check_url

ADDRESS_SETTINGS = {
    "RELAIS_SITE_URL": "RELAIS_SITE_URL",
    "WAGTAILADMIN_BASE_URL": "RELAIS_CMS_URL",
}


@register()
def public_addresses(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    errors = []
    for name, variable in ADDRESS_SETTINGS.items():
        try:
            check_url(getattr(settings, name, ""))
        except UnsafeURL as exc:
            errors.append(
                Error(
                    f"{variable}: {exc}",
                    hint=f"Set {variable} to the public address, e.g. https://alumni.example.org.",
                    id="relais.E001",
                )
            )
    return errors
