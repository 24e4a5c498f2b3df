"""Schema, connections, the write path, change and audit logs, backups. No Qt."""
