"""Where each association's site is deployed besides its folder: the settings of
:mod:`relais.deploy`, per association.

``RELAIS_DEPLOY`` says where sites go (``folder``: their local folder only; ``s3``: also a
bucket), ``RELAIS_S3`` which storage, ``RELAIS_DEPLOY_PREFIX`` the key prefix of the
installation's first association; the others go below it, in their folder (as their default
public address is the installation's followed by their folder). ``RELAIS_DEPLOY_SITES`` changes
any of it for one association, by its identifier.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from cms.federation.models import Association
from relais.deploy import Purge, S3Deployer, S3Target, http_purge

TARGET_KEYS = {
    "endpoint_url",
    "region",
    "bucket",
    "access_key_id",
    "secret_access_key",
    "max_attempts",
}


def _own(association: Association) -> dict[str, Any]:
    own = getattr(settings, "RELAIS_DEPLOY_SITES", {}).get(association.slug, {})
    unknown = set(own) - TARGET_KEYS - {"prefix", "to", "purge"}
    if unknown:
        raise ImproperlyConfigured(
            f"RELAIS_DEPLOY_SITES[{association.slug!r}] has unknown keys {sorted(unknown)}: "
            f"use {sorted(TARGET_KEYS | {'prefix', 'to', 'purge'})}."
        )
    return own


def _where(association: Association) -> dict[str, Any] | None:
    """The storage and prefix of an association's site, or None for its folder only."""
    own = _own(association)
    to = own.get("to", getattr(settings, "RELAIS_DEPLOY", "folder"))
    if to == "folder":
        return None
    if to != "s3":
        raise ImproperlyConfigured(
            f"The deploy target of {association.slug} is {to!r}: use `folder` or `s3`."
        )
    where = {k: v for k, v in settings.RELAIS_S3.items() if k in TARGET_KEYS}
    where.update((k, v) for k, v in own.items() if k in TARGET_KEYS)
    if "prefix" in own:
        where["prefix"] = own["prefix"].strip("/")
    else:
        base = settings.RELAIS_DEPLOY_PREFIX.strip("/")
        where["prefix"] = "/".join(p for p in (base, association.folder) if p)
    return where


def deploy_target(association: Association) -> S3Target | None:
    """The bucket and prefix of an association's site (None: its folder only). The sites of
    other associations deployed below its prefix in the same bucket are never its files."""
    where = _where(association)
    if where is None:
        return None
    prefix = f"{where['prefix']}/" if where["prefix"] else ""
    nested = []
    for other in Association.objects.exclude(pk=association.pk):
        theirs = _where(other)
        if theirs is None or (theirs.get("endpoint_url"), theirs.get("bucket")) != (
            where.get("endpoint_url"),
            where.get("bucket"),
        ):
            continue
        if theirs["prefix"] == where["prefix"]:
            raise ImproperlyConfigured(
                f"{association.slug} and {other.slug} would both be deployed to "
                f"s3://{where['bucket']}/{prefix}: give one of them another prefix in "
                "RELAIS_DEPLOY_SITES."
            )
        if f"{theirs['prefix']}/".startswith(prefix):
            nested.append(f"{theirs['prefix']}/"[len(prefix) :])
    return S3Target(**where, exclude=tuple(sorted(nested)))


def purge_hook(association: Association) -> Purge | None:
    """The CDN purge of an association's site: an address to POST the changed paths to, or a
    function ``f(paths, site_url=...)`` named by its dotted path."""
    hook = _own(association).get("purge", getattr(settings, "RELAIS_DEPLOY_PURGE", ""))
    if not hook:
        return None
    site_url = association.public_url
    if hook.startswith(("http://", "https://")):
        return http_purge(hook, site_url, getattr(settings, "RELAIS_DEPLOY_PURGE_TOKEN", ""))
    try:
        function: Callable[..., None] = import_string(hook)
    except ImportError as exc:
        raise ImproperlyConfigured(
            f"RELAIS_DEPLOY_PURGE={hook!r} is neither an http(s):// address nor the dotted "
            f"path of a function ({exc})."
        ) from exc

    def purge(paths: list[str]) -> None:
        function(paths, site_url=site_url)

    return purge


def deployer(association: Association) -> tuple[tuple, S3Deployer | None]:
    """The deployer of an association's site, with what it was made from (a builder made
    with other settings is made again)."""
    target = deploy_target(association)
    if target is None:
        return (None,), None
    hook = _own(association).get("purge", getattr(settings, "RELAIS_DEPLOY_PURGE", ""))
    key = (target, target.secret_access_key, hook)
    return key, S3Deployer(target, association.paths.builds, purge=purge_hook(association))
