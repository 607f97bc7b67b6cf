-- 020: the review's candidates by period, so that a report can tell at
-- once whether a period has few of them in the whole country (then it
-- reads them all rather than probing for each of its units: rules/48_review.sql,
-- th_review_changes).
CREATE INDEX review_candidates_period_idx ON review_candidates (year, quarter);
