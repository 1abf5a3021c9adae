//! nginx and backend error logs: lines classified into typed, grouped events.
