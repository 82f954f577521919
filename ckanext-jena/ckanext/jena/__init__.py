"""The Jena open data platform CKAN extension."""
