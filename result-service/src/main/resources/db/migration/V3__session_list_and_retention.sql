-- GET /api/sessions lists one user's sessions newest first, keyset-paginated on (started_at, id). This index serves
-- the whole query: equality on user_id, then the range and the order on (started_at, id), so a page reads only its
-- own rows however many sessions the user has. It replaces the user_id index, which is its prefix.
CREATE INDEX ix_transcript_session_user_started ON transcript_session (user_id, started_at, id);
ALTER TABLE transcript_session DROP INDEX ix_transcript_session_user;

-- TRANSCRIPT_RETENTION purges the oldest sessions first, a bounded batch at a time.
CREATE INDEX ix_transcript_session_started ON transcript_session (started_at);
