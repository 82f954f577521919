from ckan.tests.lib.search.test_common import *  # noqa: F401,F403
