"""core.atomic: outputs written under a temporary name and renamed when complete (issue 12, item 6)."""

from __future__ import annotations

import os
import sqlite3
import time

import pytest

from bai_mei_plugin.core import atomic
from bai_mei_plugin.core.errors import BaiMeiError
from bai_mei_plugin.core.profiles import write_profiles


def names(folder) -> list:
    return sorted(os.listdir(folder))


def test_the_temporary_name_is_hidden_in_the_same_folder_with_the_extension(tmp_path):
    temporary = atomic.partial_path(str(tmp_path / "gaps.gpkg"))
    folder, name = os.path.split(temporary)
    assert folder == str(tmp_path)
    assert name.startswith(".gaps.") and name.endswith(".partial.gpkg")
    assert atomic.PARTIAL_PATTERN.match(name)
    assert temporary != atomic.partial_path(str(tmp_path / "gaps.gpkg"))


def test_a_complete_write_replaces_and_a_failed_one_leaves_the_old_file(tmp_path):
    out = tmp_path / "report.csv"
    out.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic.atomic_output(str(out)) as temporary:
            with open(temporary, "w") as handle:
                handle.write("half")
            assert out.read_text() == "old"
            raise RuntimeError("the writer failed")
    assert out.read_text() == "old" and names(tmp_path) == ["report.csv"]
    with atomic.atomic_output(str(out)) as temporary:
        with open(temporary, "w") as handle:
            handle.write("new")
    assert out.read_text() == "new" and names(tmp_path) == ["report.csv"]


def test_permissions_and_symbolic_links_are_kept(tmp_path):
    real = tmp_path / "data" / "profiles.csv"
    real.parent.mkdir()
    real.write_text("old")
    real.chmod(0o600)
    link = tmp_path / "profiles.csv"
    link.symlink_to(real)
    with atomic.atomic_output(str(link)) as temporary:
        assert os.path.dirname(temporary) == str(real.parent)  # renamed within the target's folder
        with open(temporary, "w") as handle:
            handle.write("new")
    assert link.is_symlink() and real.read_text() == "new"
    assert oct(real.stat().st_mode & 0o777) == oct(0o600)


def test_shapefile_companions_move_together_and_stale_ones_go(tmp_path):
    final = tmp_path / "points.shp"
    for ext in (".shp", ".shx", ".dbf", ".qix"):
        (tmp_path / f"points{ext}").write_text("old" + ext)
    temporary = atomic.partial_path(str(final))
    stem = temporary[:-4]
    for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
        with open(stem + ext, "w") as handle:
            handle.write("new" + ext)
    atomic.commit(temporary, str(final))
    assert names(tmp_path) == ["points.cpg", "points.dbf", "points.prj", "points.shp", "points.shx"]
    assert (tmp_path / "points.dbf").read_text() == "new.dbf"


def test_a_geopackage_copy_includes_what_is_still_in_the_write_ahead_log(tmp_path):
    source = tmp_path / "case.gpkg"
    db = sqlite3.connect(source)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA wal_autocheckpoint=0")  # the rows stay in case.gpkg-wal while this connection is open
    db.execute("CREATE TABLE gaps (x)")
    db.executemany("INSERT INTO gaps VALUES (?)", [(i,) for i in range(100)])
    db.commit()
    assert (tmp_path / "case.gpkg-wal").stat().st_size > 0
    temporary = atomic.partial_path(str(source))
    atomic.copy_existing(str(source), temporary)
    db.close()
    with sqlite3.connect(temporary) as copy:
        assert copy.execute("SELECT count(*) FROM gaps").fetchone()[0] == 100
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one file, as a GeoPackage should be
    atomic.discard(temporary)
    assert not any(".partial" in n for n in names(tmp_path))


def test_copying_a_file_that_is_not_a_geopackage_is_a_message(tmp_path):
    source = tmp_path / "not.gpkg"
    source.write_text("plain text, not SQLite " * 100)
    with pytest.raises(BaiMeiError, match=r"Could not copy .*not\.gpkg to add a table to it"):
        atomic.copy_existing(str(source), atomic.partial_path(str(source)))
    assert names(tmp_path) == ["not.gpkg"]


def test_commit_folds_a_left_write_ahead_log_into_the_file(tmp_path):
    final = tmp_path / "out.gpkg"
    temporary = atomic.partial_path(str(final))
    db = sqlite3.connect(temporary)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA wal_autocheckpoint=0")
    db.execute("CREATE TABLE t (x)")
    db.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(50)])
    db.commit()
    (tmp_path / "out.gpkg-journal").write_bytes(b"a stale journal of the old file")
    atomic.commit(temporary, str(final))
    db.close()
    assert names(tmp_path) == ["out.gpkg"]
    with sqlite3.connect(final) as check:
        assert check.execute("SELECT count(*) FROM t").fetchone()[0] == 50


def test_commit_leaves_a_geopackage_out_of_wal_mode(tmp_path):
    final = tmp_path / "out.gpkg"
    temporary = atomic.partial_path(str(final))
    with sqlite3.connect(temporary) as db:
        db.execute("PRAGMA journal_mode=WAL")  # as QGIS leaves a GeoPackage it wrote to, at times
        db.execute("CREATE TABLE t (x)")
    db.close()
    atomic.commit(temporary, str(final))
    with sqlite3.connect(final) as check:
        assert check.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_only_old_partials_of_the_plugin_are_cleaned(tmp_path):
    old = time.time() - 2 * atomic.STALE_AFTER_S
    files = {
        ".gaps.0123abcd.partial.gpkg": True,
        ".gaps.0123abcd.partial.gpkg-journal": True,
        ".points.89abcdef.partial.dbf": True,
        ".fresh.4567cdef.partial.gpkg": False,
        ".gaps.partial.gpkg": False,
        "gaps.0123abcd.partial.gpkg": False,
        "notes.txt": False,
    }
    for name in files:
        (tmp_path / name).write_text("x")
        if name != ".fresh.4567cdef.partial.gpkg":  # all old but the one a live run may be writing
            os.utime(tmp_path / name, (old, old))
    removed = atomic.clean_stale(str(tmp_path))
    assert sorted(os.path.basename(p) for p in removed) == sorted(n for n, stale in files.items() if stale)
    assert names(tmp_path) == sorted(n for n, stale in files.items() if not stale)
    assert atomic.clean_stale(str(tmp_path / "missing")) == []


def test_profiles_are_written_atomically(tmp_path):
    out = tmp_path / "profiles.csv"
    out.write_text("the analyst's profiles")
    with pytest.raises(AttributeError):
        write_profiles(out, [object()])  # not a profile: fails half way through
    assert out.read_text() == "the analyst's profiles" and names(tmp_path) == ["profiles.csv"]
    write_profiles(out, [])
    assert out.read_text().startswith("mmsi,imo,name,") and out.read_text().count("\n") == 1
