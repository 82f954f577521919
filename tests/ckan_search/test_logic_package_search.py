from ckan.tests.logic.action.test_get import TestPackageAutocomplete, TestPackageSearch  # noqa: F401
