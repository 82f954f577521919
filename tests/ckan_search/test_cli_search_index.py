from ckan.tests.cli.test_search_index import *  # noqa: F401,F403
