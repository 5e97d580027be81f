"""A long build is never silent: a live bar on a terminal, and where stderr is a pipe or a log,
a line every few seconds with the count, the elapsed time and the time left."""

from __future__ import annotations

import io
import re

from ui.progress import LineProgress, rich_progress


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_lines_every_few_seconds_with_count_elapsed_and_time_left():
    out, clock = io.StringIO(), Clock()
    advance = LineProgress(out, every_s=5, clock=clock).start("embedding items", 1000)
    for _ in range(9):  # 100 items per 2 s: a line every 5 s, not one per call
        clock.now += 2
        advance(100)
    clock.now += 2
    advance(100)
    lines = out.getvalue().splitlines()
    assert lines[0] == "embedding items: 0/1,000 (0%), 0:00 elapsed"
    assert lines[1] == "embedding items: 300/1,000 (30%), 0:06 elapsed, about 0:14 left"
    assert lines[-1] == "embedding items: 1,000/1,000 (100%), 0:20 elapsed"  # the end is always shown
    assert 4 <= len(lines) <= 6


def test_a_pipe_gets_lines_and_quiet_gets_nothing():
    pipe = io.StringIO()
    with rich_progress(stream=pipe) as start:
        step = start("reading", 1)
        step(1)
    assert pipe.getvalue().splitlines()[-1].startswith("reading: 1/1 (100%)")
    with rich_progress(enabled=False, stream=pipe) as start:
        start("nothing", 3)(3)
    assert "nothing" not in pipe.getvalue()


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_bar_once_there_is_something_to_build():
    term = Terminal()
    with rich_progress(stream=term):
        pass  # nothing built (a warm start): no bar is drawn at all
    assert term.getvalue() == ""
    with rich_progress(stream=term) as start:
        step = start("embedding items", 3)
        step(3)
        start("writing", 1)(1)
    drawn = term.getvalue()
    assert "embedding items" in drawn and "3/3" in drawn and "writing" in drawn


def test_the_first_build_reports_progress_as_it_goes(first_use):
    """The real first use (stderr is a pipe here): the embedding's lines arrive while it runs."""
    lines = [ln for ln in first_use["stderr"].splitlines() if "(embedding items" in ln]
    counts = [int(re.search(r"\): ([\d,]+)/", ln).group(1).replace(",", "")) for ln in lines]
    assert len(counts) >= 3 and counts == sorted(counts) and counts[-1] > 9000
    assert "reading MovieLens, IMDb and Wikidata" in first_use["stderr"]
    assert "Loading weights" not in first_use["stderr"]
