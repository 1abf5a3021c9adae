//! Listener tables and backend-side probe outputs (ss, netstat, lsof, systemctl, curl, ...).
