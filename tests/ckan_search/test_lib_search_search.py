from ckan.tests.lib.search.test_search import *  # noqa: F401,F403
