"""Operations around the application: commands/ (load_demo, import_report, export_report, backup,
restore, generate_load_data), with the demo data (demo) and the backups (backup) they run."""
