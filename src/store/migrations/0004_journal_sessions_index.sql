-- 0004: who was signed in at a station when it stopped, found without walking
-- the journal. Partial: only sign-in and sign-out events are indexed, so a
-- scan's append does not pay for it.
CREATE INDEX journal_sessions ON journal(station, seq)
    WHERE kind IN ('operator.signed_in', 'operator.signed_out');
