"""Collectors: live streams into the store (Bluesky's Jetstream now).

A collector is a transport only: it connects, filters, keeps the cursor, reconnects with back-off,
and hands raw records to the platform's format and the store's commit (:mod:`.sink`), which keeps
them as every ingest does. What each run saw and missed goes to the store's coverage
(:mod:`tagscope.store.coverage`). Needs the ``collect`` extra (the ``websockets`` library).
"""
