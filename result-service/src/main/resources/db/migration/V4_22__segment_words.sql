-- Version 4.22 (issue 22): a version of its own, so that another change numbered V4 does not collide with it.
-- Word timings of a final (start option wordTimestamps), stored with the segment as the JSON array the client got:
-- [{"word","startMs","endMs","confidence"?}]. NULL when the session did not ask. MEDIUMTEXT (16 MB): a final holds
-- at most Word.MAX_PER_FINAL (1,000) words of at most Word.MAX_CHARS (64) characters, under 0.5 MB of JSON even if
-- every character were escaped (TranscriptStoreTest checks the worst case against the column).
ALTER TABLE transcript_segment ADD COLUMN words MEDIUMTEXT NULL;
