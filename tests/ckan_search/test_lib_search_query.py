from ckan.tests.lib.search.test_query import *  # noqa: F401,F403
