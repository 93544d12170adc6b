"""The `genreward` command as a user runs it, in subprocesses."""

import imageio.v2 as imageio

from tests.conftest import run_cli


def test_collect_and_show(tmp_path):
    out = tmp_path / "demos"
    result = run_cli(
        "collect",
        "--tasks",
        "reach",
        "--episodes",
        "1",
        "--size",
        "32",
        "--max-steps",
        "200",
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    assert "reach-v3: 1/1 successful episodes" in result.stdout
    episode = out / "reach-v3" / "seed_000000.npz"
    for suffix in ("gif", "mp4", "png"):
        shown = run_cli("show", str(episode), "--out", str(tmp_path / f"x.{suffix}"))
        assert shown.returncode == 0, shown.stderr
        assert (tmp_path / f"x.{suffix}").stat().st_size > 1000
    strip = imageio.imread(tmp_path / "x.png")
    assert strip.shape[0] == 256 and strip.shape[1] > 4 * 256  # 8 upscaled frames side by side
    gif = imageio.mimread(tmp_path / "x.gif")
    assert len(gif) > 5 and gif[0].shape[:2] == (256, 256)


def assert_clean_error(result, *fragments):
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr


def test_bad_input_gives_a_clear_error(tmp_path):
    assert_clean_error(
        run_cli("collect", "--tasks", "door-opne", "--out", str(tmp_path)),
        "unknown Meta-World task 'door-opne'",
        "door-open",
    )
    assert_clean_error(run_cli("show", str(tmp_path / "none.npz")), "none.npz: file not found")
    broken = tmp_path / "broken.npz"
    broken.write_bytes(b"not an npz")
    assert_clean_error(
        run_cli("show", str(broken), "--out", str(tmp_path / "x.gif")),
        "broken.npz: truncated or corrupted",
        "genreward collect",
    )
    assert not (tmp_path / "x.gif").exists()


def test_unsupported_output_format(small_dataset, tmp_path):
    episode = small_dataset / "reach-v3" / "seed_000000.npz"
    assert_clean_error(
        run_cli("show", str(episode), "--out", str(tmp_path / "x.avi")),
        "choose a file ending in .gif, .mp4, .png",
    )


def test_bad_seeds_for_generate(tmp_path):
    for seed, message in (
        (",", "has an empty entry"),
        ("-1", "must be integers"),
        ("a", "must be"),
    ):
        assert_clean_error(run_cli("generate", "--seed", seed, "--out", str(tmp_path)), message)
