from tests.cms.conftest import admin_user, content_dir, site_output, site_tree  # noqa: F401
