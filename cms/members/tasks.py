from __future__ import annotations

from django.core.mail import send_mail
from django_tasks import task

from .models import SignUpPage


@task(backend="relais", queue_name="maintenance")
def send_signup_notification(page_id: int, body: str) -> None:
    page = SignUpPage.objects.get(pk=page_id)
    addresses = [a.strip() for a in page.to_address.split(",") if a.strip()]
    if addresses:
        send_mail(page.subject or "Nouvelle adhésion", body, page.from_address, addresses)
