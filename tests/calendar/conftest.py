from tests.cms.conftest import content_dir, site_output  # noqa: F401
from tests.federation.conftest import a_editor, b_user, two_sites  # noqa: F401
