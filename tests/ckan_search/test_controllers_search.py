from ckan.tests.controllers.test_package import TestSearch, sysadmin, user  # noqa: F401
