"""Fixtures of the discussions' tests: the site tree of the CMS tests, the fake networks (real
HTTP servers on 127.0.0.1), the deliveries' settings of the syndication tests."""

from __future__ import annotations

from tests.cms.conftest import admin_user, content_dir, site_output, site_tree  # noqa: F401
from tests.social.conftest import fakes, social_settings  # noqa: F401
