from ckan.tests.lib.search.test_index import *  # noqa: F401,F403
