"""Onboarding a province from its spreadsheets: bodies and their tree, people and their roles,
through django-import-export (a preview by dry run, errors per row, the same columns exported)."""
