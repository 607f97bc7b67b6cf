-- 014: approval of a plan's results for a period, and the locks it sets
-- (issue #13; DHIS2's data approval is the model).
--
-- A district (or a province, or, after the 2025 reform, a province directly
-- over its communes) approves its territory's results for a plan and a
-- period. From then on, a submission that would change those results is
-- refused (PERIOD_LOCKED) until the approving unit, or a unit above it,
-- reopens the period with a reason. The rules are in rules/47_approval.sql.
--
--   approvals        one row per plan, approving unit and period: its state
--                    now ('approved' or 'reopened') and the indicators it
--                    locks (the plan's targets for the year)
--   approval_events  every transition, never updated or deleted: who (the
--                    authenticated key, its unit and role), when, why, and
--                    whether a unit approved before the units below it had
--   period_locks     while an approval stands: each unit whose results count
--                    in the approved figures, per quarter. The ingest looks
--                    a submission's unit and quarter up here (one probe).

CREATE TABLE approvals (
    id              bigserial PRIMARY KEY,
    plan_code       text NOT NULL,
    unit_key        text NOT NULL,      -- the approving unit (units.code)
    year            smallint NOT NULL,
    quarter         smallint NOT NULL CHECK (quarter BETWEEN 0 AND 4),  -- 0: the year
    state           text NOT NULL CHECK (state IN ('approved', 'reopened')),
    indicator_codes text[] NOT NULL,    -- what the approval locks
    changed_at      timestamptz NOT NULL,
    UNIQUE (plan_code, unit_key, year, quarter)
);

CREATE TABLE approval_events (
    id               bigserial PRIMARY KEY,
    approval_id      bigint NOT NULL REFERENCES approvals (id),
    action           text NOT NULL CHECK (action IN ('approve', 'reopen')),
    at               timestamptz NOT NULL,
    actor_key        text NOT NULL,     -- Z85 public key; '' without keys (--insecure)
    actor_unit       text,              -- the key's unit (units.code)
    actor_role       text NOT NULL,
    reason           text,              -- required to reopen
    before_children  boolean NOT NULL DEFAULT false,
    children_pending text[] NOT NULL DEFAULT '{}',  -- GSO codes of the units below not yet approved
    CHECK (action = 'approve' OR (reason IS NOT NULL AND reason <> ''))
);
CREATE INDEX approval_events_approval_idx ON approval_events (approval_id, id);

CREATE TABLE period_locks (
    unit_key    text NOT NULL,
    year        smallint NOT NULL,
    quarter     smallint NOT NULL CHECK (quarter BETWEEN 1 AND 4),
    approval_id bigint NOT NULL REFERENCES approvals (id),
    PRIMARY KEY (unit_key, year, quarter, approval_id)
);
CREATE INDEX period_locks_approval_idx ON period_locks (approval_id);
