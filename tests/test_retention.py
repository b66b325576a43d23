"""The retention rule for answer videos and the guarded delete (real files in a temp dir)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from interview.errors import VideoError
from interview.retention import StoredVideo, VideoRetention, videos_to_delete
from interview.transcript import Segment, Transcript
from interview.video import delete_videos, speech_regions

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=timezone.utc)


def videos():
    return [StoredVideo("a", "a.webm", NOW - timedelta(days=40), scored=True),
            StoredVideo("b", "b.webm", NOW - timedelta(days=3), scored=True),
            StoredVideo("c", "c.webm", NOW - timedelta(days=31), scored=False),
            StoredVideo("d", "d.webm", NOW - timedelta(hours=1), scored=False)]


def test_keep_deletes_nothing():
    assert videos_to_delete(videos(), VideoRetention(), NOW) == []


def test_after_scoring_deletes_scored_videos_only():
    due = videos_to_delete(videos(), VideoRetention("after_scoring"), NOW)
    assert [v.take_id for v in due] == ["a", "b"]


def test_after_n_days():
    due = videos_to_delete(videos(), VideoRetention("days", days=30), NOW)
    assert [v.take_id for v in due] == ["a", "c"]
    assert "30 days" in VideoRetention("days", days=30).describe()


@pytest.mark.parametrize("mode, days", [("forever", 1), ("days", 0), ("days", 2.5)])
def test_bad_rules_are_refused(mode, days):
    with pytest.raises(ValueError):
        VideoRetention(mode, days)


def test_delete_videos_stays_inside_the_folder(tmp_path):
    root = tmp_path / "videos"
    root.mkdir()
    inside = root / "take1.webm"
    inside.write_bytes(b"x")
    outside = tmp_path / "precious.webm"
    outside.write_bytes(b"keep me")
    with pytest.raises(VideoError, match="not inside"):
        delete_videos([inside, root / ".." / "precious.webm"], root)
    assert inside.exists() and outside.exists()  # nothing deleted when one path is bad
    link = root / "link.webm"
    link.symlink_to(outside)
    with pytest.raises(VideoError):
        delete_videos([link], root)
    assert outside.exists()
    assert delete_videos([inside, root / "gone.webm"], root) == [inside.resolve()]
    assert not inside.exists()


def test_speech_regions_from_a_transcript():
    t = Transcript(text="a b", segments=[Segment(0, 0.5, 2.0, "a"), Segment(1, 3.0, 3.0, ""),
                                         Segment(2, 4.0, 6.5, "b")])
    assert speech_regions(t) == [(0.5, 2.0), (4.0, 6.5)]
