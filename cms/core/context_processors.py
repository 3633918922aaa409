from django.conf import settings
from django.http import HttpRequest


def relais(request: HttpRequest) -> dict[str, str]:
    return {"relais_site_url": settings.RELAIS_SITE_URL, "site_url": settings.RELAIS_SITE_URL}
