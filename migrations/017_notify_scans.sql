-- 017: how far the deadline announcements have got (server/notify.c).
--
-- Once a minute a server announces the deadlines that came near or passed
-- since its last look (th_notify_deadlines, rules/65_notify.sql). That
-- look was kept in memory only, so a deadline that passed while the server
-- was stopped (an upgrade at night) was never announced. One row: the
-- instant up to which deadlines have been announced. A server that starts
-- announces from there (at most seven days back), and takes each window by
-- moving the instant on from the value it read, so that two servers on one
-- database never announce the same window twice.
CREATE TABLE notify_scans (
    one        boolean PRIMARY KEY DEFAULT true CHECK (one),
    scanned_to timestamptz NOT NULL
);
