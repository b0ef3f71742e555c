"""DuckDB names its spill files alike in every database: two databases spilling into one folder wrote
over each other's pages (an IOException "Could not read enough bytes from file ...tmp" building the
rollups of a 10M store while another process spilled; a segmentation fault in a two-thread repro).
Each database the store opens now spills into a folder of its own."""

from __future__ import annotations

import threading

from tagscope.engines import rollup
from tagscope.store import sql_lines
from tagscope.store.store import Store


def _spill_folder(con) -> str:
    return con.execute("SELECT current_setting('temp_directory')").fetchone()[0]


def test_every_database_spills_into_a_folder_of_its_own(tmp_path) -> None:
    from tagscope.formats.twitter import v1_sql

    cons = [rollup._connect(), rollup._connect(), sql_lines.connect(v1_sql), Store(tmp_path / "s").con]
    folders = [_spill_folder(c) for c in cons]
    assert len(set(folders)) == len(folders)


def test_two_databases_spill_at_once() -> None:
    """Both sorts spill (64 MB for ~200 MB of rows) at the same time, and both answers are right."""
    out: dict[int, object] = {}

    def one(i: int) -> None:
        con = rollup._connect()
        con.execute("SET memory_limit = '64MB'; SET preserve_insertion_order = false")
        out[i] = con.execute(
            f"SELECT count(*) FROM (SELECT DISTINCT hash(range * 7 + {i}) AS h, repeat('x', 40) || range AS s "
            "FROM range(3000000))").fetchone()[0]

    threads = [threading.Thread(target=one, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert out == {0: 3_000_000, 1: 3_000_000}
