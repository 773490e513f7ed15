"""Running Bridgework: key safety at start-up, health, heartbeats, backups and restores."""
