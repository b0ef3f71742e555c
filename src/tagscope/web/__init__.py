"""The read-only web dashboard: server-rendered pages over the analytics, plus a JSON API."""
