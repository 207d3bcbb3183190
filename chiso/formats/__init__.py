"""Local overrides of Django's number and date formats (settings.FORMAT_MODULE_PATH)."""
