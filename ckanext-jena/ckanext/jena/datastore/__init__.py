"""The DataStore: every validated table queryable through CKAN's DataStore,
loaded with the types of its Table Schema (issue 14)."""
