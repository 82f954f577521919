"""`current` is swapped atomically (a symlink replaced by os.replace), the
previous package is kept, and every run starts by repairing what a crash
left behind: half-made links, unfinished builds, the older folder layout."""
import json
import os
import shutil

from harvesters import folders, runner


def run(config, out):
    return runner.run(["jena"], config, str(out))[0]


def complete(package):
    """A package whose files are all there, as datapackage.json says, and valid."""
    descriptor = json.loads((package / "datapackage.json").read_text())
    for resource in descriptor["resources"]:
        assert (package / resource["path"]).stat().st_size == resource["bytes"]
    assert json.loads((package / "validation-report.json").read_text())["valid"]
    return descriptor


def test_current_and_previous_are_links_swapped_in_one_step(sources, tmp_path):
    routes, base, config = sources
    base_dir = tmp_path / "jena"
    assert run(config, tmp_path)["status"] == "ok"
    first = os.path.realpath(base_dir / "current")
    assert (base_dir / "current").is_symlink()
    assert run(config, tmp_path)["status"] == "ok"
    second = os.path.realpath(base_dir / "current")
    assert second != first and os.path.realpath(base_dir / "previous") == first
    assert run(config, tmp_path)["status"] == "ok"
    # the oldest package goes once nothing names it
    builds = sorted(p.name for p in base_dir.iterdir() if p.name.startswith("build-"))
    assert len(builds) == 2 and not os.path.exists(first)
    complete(base_dir / "current")


def test_the_older_layout_is_taken_over_without_losing_the_last_good_package(sources, tmp_path):
    routes, base, config = sources
    assert run(config, tmp_path)["status"] == "ok"
    base_dir = tmp_path / "jena"
    # as the runner before the links left it: current and previous as folders
    legacy = tmp_path / "legacy"
    shutil.copytree(base_dir / "current", legacy / "current")
    shutil.copytree(base_dir / "current", legacy / "previous")
    shutil.rmtree(base_dir)
    shutil.move(str(legacy), str(base_dir))
    good = (base_dir / "current" / "baeume.csv").read_bytes()
    routes["/jena.csv"] = (b"<html>Wartung</html>", "text/html", 0)
    assert run(config, tmp_path)["status"] == "failed"
    assert (base_dir / "current").is_symlink() and (base_dir / "current" / "baeume.csv").read_bytes() == good
    complete(base_dir / "current")


def test_a_crash_in_the_middle_of_a_swap_is_repaired(sources, tmp_path):
    routes, base, config = sources
    assert run(config, tmp_path)["status"] == "ok"
    base_dir = tmp_path / "jena"
    good = os.path.realpath(base_dir / "current")
    # what a kill can leave: a half-made link, an unfinished build, a lost current
    os.symlink("build-nowhere", base_dir / "current.tmp")
    unfinished = base_dir / "build-20260101T000000Z-dead"
    unfinished.mkdir()
    (unfinished / "baeume.csv").write_text("id,source\n")
    os.symlink(os.path.basename(good), base_dir / "previous")
    os.unlink(base_dir / "current")
    done = folders.recover(str(base_dir))
    assert os.path.realpath(base_dir / "current") == good and not unfinished.exists()
    assert not os.path.lexists(base_dir / "current.tmp") and done
    assert run(config, tmp_path)["status"] == "ok"
    complete(base_dir / "current")


def test_state_files_are_replaced_whole(tmp_path):
    path = tmp_path / "units.json"
    folders.write_json(str(path), {"a": 1})
    folders.write_json(str(path), {"b": 2})
    assert json.loads(path.read_text()) == {"b": 2}
    assert [p.name for p in tmp_path.iterdir()] == ["units.json"]  # no temporary file left
