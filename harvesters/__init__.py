"""Cron-run harvesters that publish validated data packages to CKAN."""
