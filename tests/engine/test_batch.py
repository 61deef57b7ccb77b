"""Which jobs of a batch still have work to do."""

from enhancer.engine.batch import pending_jobs, plan_jobs


def test_pending_jobs_skip_outputs_that_exist_and_keep_the_folder_tree(tmp_path):
    source = tmp_path / "holiday"
    (source / "day1").mkdir(parents=True)
    for name in ("day1/a.png", "day1/b.png", "c.png"):
        (source / name).write_bytes(b"x")
    output = tmp_path / "out"
    (output / "holiday" / "day1").mkdir(parents=True)
    (output / "holiday" / "day1" / "a.png").write_bytes(b"done")

    jobs = plan_jobs([source], output)
    pending = pending_jobs(jobs)

    assert len(jobs) == 3
    assert [job.destination.relative_to(output).as_posix() for job in pending] == [
        "holiday/c.png", "holiday/day1/b.png"]
