"""The portal's look: home page helpers, the legally required pages and
their default texts, the templates of jena_theme (plugins/theme.py)."""
