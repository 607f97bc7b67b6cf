-- rules/47_approval.sql: approving a plan's results for a period, reopening it, and what an approval locks.
--
-- A unit above the communes (a district; a province; after the 2025 reform a
-- province directly over its communes) approves its territory's results for
-- a plan and a period (migration 014). The approval locks the results that
-- count in that unit's report (th_report's territory and succession rules):
-- from then on a submission of one of those units, for a quarter of the
-- period, that names an indicator of the plan is refused with PERIOD_LOCKED
-- (th_ingest_batch, 20_ingest.sql) until the period is reopened with a
-- reason. Every transition is appended to approval_events.
--
--  * Only the unit's own key approves (a province does not approve for a
--    district). The approving unit or any unit above it reopens; while a
--    unit above has approved, the one below cannot reopen (the one above
--    reopens first).
--  * A unit whose units directly below approve too (a province over its
--    districts, the country over its provinces) approves once they all have;
--    before that only when asked to explicitly (before_children), which the
--    event records with the units still pending.
--  * Communes do not approve: they are the ones reporting.
--
-- A rules file: SQL functions and views only, applied by `tonghopd migrate`
-- after the versioned migrations whenever this file's content changes
-- (recorded in schema_rules with its SHA-256). Every statement must be
-- re-runnable (CREATE OR REPLACE); a changed signature needs a DROP ...
-- IF EXISTS first. Tables belong in versioned migrations (migrations/NNN_*.sql).

-- Waits for every transaction that is storing results to commit, and keeps
-- new ones out until the caller's transaction ends: an approval then locks
-- exactly what was stored before it. (LOCK ... SHARE needs more than the
-- server's column rights on current_results; this function runs with its
-- owner's and does nothing else. rules/90_grants.sql lets serve call it.)
CREATE OR REPLACE FUNCTION th_results_hold()
RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
BEGIN
    LOCK TABLE public.current_results IN SHARE MODE;
END;
$$;

-- (The unit an approval is about: th_plan_scope, 30_plans.sql, as a
-- report's.)
DROP FUNCTION IF EXISTS th_approval_scope(text, text, date);

-- The units whose results count in the report of root_key for a period
-- ending p_end: the units of its territory on that day (within the plan's,
-- unless whole: th_plan_territory) and every unit whose results belong to
-- one of them (th_heirs_at over th_unit_sender_candidates: predecessors,
-- and units that ceased without successor, through their parents, however
-- many steps) -- within the plan's territory too, unless whole (as
-- th_report_compute counts them: th_territory_senders).
CREATE OR REPLACE FUNCTION th_approval_senders(p_root text, p_issuer text, p_whole boolean, p_end date)
RETURNS TABLE (unit_key text)
LANGUAGE sql STABLE AS $$
    WITH tree AS MATERIALIZED (
        SELECT t.code FROM th_subtree(p_root, p_end) t
         WHERE p_whole OR t.code = ANY (th_plan_territory(p_root, p_issuer, p_end))
    ), h AS MATERIALIZED (
        SELECT h.orig, h.key
          FROM th_heirs_at(ARRAY(SELECT th_unit_sender_candidates(ARRAY(SELECT code FROM tree), p_end)), p_end) h
         WHERE h.key IN (SELECT code FROM tree)
    )
    SELECT h.orig FROM h
     WHERE p_whole OR h.orig = h.key
        OR h.orig IN (SELECT th_territory_senders(ARRAY(SELECT h2.orig FROM h h2 WHERE h2.orig <> h2.key), p_issuer))
$$;

-- What an approval of root_key for a period (p_quarter 0: the year) locks:
-- each sender (th_approval_senders) for each quarter of the period.
CREATE OR REPLACE FUNCTION th_approval_lock_set(p_root text, p_issuer text, p_whole boolean, p_end date,
                                                p_quarter integer)
RETURNS TABLE (unit_key text, quarter smallint)
LANGUAGE sql STABLE AS $$
    SELECT DISTINCT s.unit_key, k::smallint
      FROM th_approval_senders(p_root, p_issuer, p_whole, p_end) s,
           generate_series(CASE WHEN p_quarter = 0 THEN 1 ELSE p_quarter END,
                           CASE WHEN p_quarter = 0 THEN 4 ELSE p_quarter END) AS k
$$;

-- Whether a unit has approved a plan's period (p_quarter 0: the year): an
-- approval of that period, or, for a quarter, of its year (a year's approval
-- locks its four quarters). Children first (th_approval_children) and the
-- report's count of children that approved read it so.
CREATE OR REPLACE FUNCTION th_approval_approved(p_plan text, p_unit_key text, p_year integer, p_quarter integer)
RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM approvals a
                    WHERE a.plan_code = p_plan AND a.unit_key = p_unit_key AND a.year = p_year
                      AND (a.quarter = p_quarter OR (p_quarter > 0 AND a.quarter = 0)) AND a.state = 'approved')
$$;

-- The units directly below root_key on p_end (within the plan's territory)
-- that approve in turn: those with units below them themselves (districts
-- under a province before the reform; provinces under the country). As
-- "GSO name" texts, with whether each has approved the plan for the period.
CREATE OR REPLACE FUNCTION th_approval_children(p_plan text, p_root text, p_issuer text, p_whole boolean,
                                                p_year integer, p_quarter integer, p_end date)
RETURNS TABLE (unit_key text, label text, approved boolean)
LANGUAGE sql STABLE AS $$
    SELECT c.code, u.gso_code || ' ' || u.name_with_type,
           th_approval_approved(p_plan, c.code, p_year, p_quarter)
      FROM th_subtree(p_root, p_end) c
      JOIN units u ON u.code = c.code
     WHERE c.depth = 1
       AND (p_whole OR th_in_territory(c.code, p_issuer, p_end))
       AND EXISTS (SELECT 1 FROM unit_parents l
                    WHERE l.parent_code = c.code AND l.valid_from <= p_end
                      AND (l.valid_to IS NULL OR l.valid_to > p_end))
     ORDER BY u.gso_code
$$;

-- Refuses (TH018, on the field approval.unit_code or reopen.unit_code) a
-- key (its unit and role) that may not approve (p_approve) or reopen a
-- unit's period: the unit's own key approves; it or a key of a unit above
-- it reopens (above on the period's last day, or today through the
-- succession: new Tuyên Quang reopens what old Hà Giang's district 024
-- approved); a ministry or admin key does neither; 'local' (a server
-- without keys) does both.
DROP FUNCTION IF EXISTS th_approval_may(text, boolean, text, text, date);
CREATE OR REPLACE FUNCTION th_approval_check_key(p_unit units, p_approve boolean, p_actor_unit text,
                                                 p_actor_role text, p_end date)
RETURNS void LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF p_actor_role = 'local'
       OR (p_actor_role NOT IN ('ministry', 'admin')
           AND (p_actor_unit = p_unit.code
                OR (NOT p_approve AND EXISTS (SELECT 1 FROM th_ancestors(p_unit.code, p_end) a
                                               WHERE a.code = p_actor_unit))
                OR (NOT p_approve AND EXISTS (SELECT 1 FROM th_heirs_at(ARRAY[p_unit.code], current_date) h
                                               WHERE h.depth > 0 AND th_within(h.key, p_actor_unit, current_date))))) THEN
        RETURN;
    END IF;
    RAISE EXCEPTION USING ERRCODE = 'TH018', COLUMN = CASE WHEN p_approve THEN 'approval.unit_code'
                                                         ELSE 'reopen.unit_code' END,
                          DETAIL = p_unit.gso_code, MESSAGE = 'the key may not approve or reopen this unit';
END
$$;

-- Approves (p_approve) or reopens a plan's results for a period at a unit
-- (a GSO code; NULL: the plan's issuer, or its heir). p_actor_*: the
-- authenticated key (its Z85, its unit's key or NULL, its role name);
-- p_actor_unit NULL with role 'local' is a server without keys (allowed
-- everything), 'ministry' and 'admin' keys approve nothing. p_now: the
-- server's clock. Returns one row:
--   changed           false when the state was already the one asked
--   state, at         the state now and since when
--   children_pending  the units below not yet approved, when approving
--                     before them ("GSO name")
--   locked_units      the units whose results the approval locks
--   unit_code         the approving unit's GSO code
-- Refusals raise TH codes (server/sqlerr.h), the field in COLUMN:
--   TH026 plan_code   no such plan
--   TH007/TH029/TH028 unit_code: unknown, ceased, outside the plan
--   TH018 unit_code   the key may not approve (not its own unit) or reopen
--                     (not its own unit or one below it)
--   TH018 approval.commune  a commune's results are approved above it
--   TH006 approval.period   the period has not ended (DETAIL: its last day)
--   TH031 unit_code   units below have not approved (DETAIL lists them)
--   TH017 unit_code   reopening while a unit above has approved (DETAIL:
--                     that unit and the date)
--   TH032 period      reopening what is not approved
DROP FUNCTION IF EXISTS th_approval_apply(text, text, text, boolean, text, boolean, text, text, text, timestamptz);
CREATE OR REPLACE FUNCTION th_approval_apply(
    p_plan text, p_period text, p_unit text, p_approve boolean, p_reason text, p_before_children boolean,
    p_actor_key text, p_actor_unit text, p_actor_role text, p_now timestamptz)
RETURNS TABLE (changed boolean, state text, at timestamptz, children_pending text[], locked_units integer,
               unit_code text)
LANGUAGE plpgsql
SET jit = off
AS $$
DECLARE
    pl       plans%ROWTYPE;
    y        integer := substr(p_period, 1, 4)::integer;
    q        integer := CASE WHEN length(p_period) = 6 THEN substr(p_period, 6, 1)::integer ELSE 0 END;
    p_end    date := th_period_last_day(p_period);
    sc       record;
    root     units%ROWTYPE;
    ap       approvals%ROWTYPE;
    pending  text[];
    above    record;
    n        integer := 0;
    inds     text[];
    now_t    timestamptz := coalesce(p_now, th_now());
BEGIN
    SELECT * INTO pl FROM th_plan_or_raise(p_plan);
    PERFORM th_plan_year_or_raise(pl, y);
    -- A unit named that is not the key's to approve or reopen is refused
    -- before the plan's scope is looked at: the refusal must not tell a key
    -- whether another province's unit is in a plan. (A code that names no
    -- unit on the period's last day is answered as unknown or ceased, as
    -- reads answer it: the list of codes is public, th_may_read.)
    IF p_unit IS NOT NULL THEN
        SELECT * INTO root FROM units u WHERE u.code = th_unit_key(p_unit, p_end);
        IF FOUND THEN
            PERFORM th_approval_check_key(root, p_approve, p_actor_unit, p_actor_role, p_end);
        END IF;
    END IF;
    sc := th_plan_scope(pl.issuer_unit, p_unit, p_end);
    SELECT * INTO root FROM units u WHERE u.code = sc.root_key;
    PERFORM th_approval_check_key(root, p_approve, p_actor_unit, p_actor_role, p_end);
    IF th_unit_role(root.type, root.parent_code) = 'commune' THEN
        RAISE EXCEPTION USING ERRCODE = 'TH018', COLUMN = 'approval.commune', DETAIL = root.gso_code,
                              MESSAGE = 'a commune''s results are approved by the unit above it';
    END IF;
    -- A period is approved once it has ended (in Vietnam): before, its
    -- communes may still send, and the approval would lock them out.
    IF p_approve AND (now_t AT TIME ZONE 'Asia/Ho_Chi_Minh')::date <= p_end THEN
        RAISE EXCEPTION USING ERRCODE = 'TH006', COLUMN = 'approval.period', DETAIL = p_end::text,
                              MESSAGE = 'the period has not ended yet';
    END IF;

    -- One approval or reopening of a plan's period at a time (a child's
    -- reopening must not slip between a parent's check and its approval).
    PERFORM pg_advisory_xact_lock(hashtext('tonghop approval ' || p_plan || ' ' || p_period));
    SELECT * INTO ap FROM approvals a
     WHERE a.plan_code = p_plan AND a.unit_key = root.code AND a.year = y AND a.quarter = q
       FOR UPDATE;

    IF NOT p_approve THEN
        IF NOT FOUND OR ap.state <> 'approved' THEN
            RAISE EXCEPTION USING ERRCODE = 'TH032', COLUMN = 'period', DETAIL = p_period,
                                  MESSAGE = 'not approved: nothing to reopen';
        END IF;
        -- An approval above that covers this one: of the same period, of its
        -- year (which locks its quarters), or, for a year, of one of its
        -- quarters; by a unit whose territory on that approval's last day
        -- holds this unit's (through the succession too: new Tuyên Quang's
        -- year covers what old Hà Giang's district 024 approved for 2025Q2).
        SELECT u.gso_code || ' ' || u.name_with_type AS who,
               to_char(a.changed_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD') AS day
          INTO above
          FROM approvals a JOIN units u ON u.code = a.unit_key
          CROSS JOIN LATERAL (SELECT th_period_last_day(a.year || CASE WHEN a.quarter > 0 THEN 'Q' || a.quarter
                                                                       ELSE '' END) AS d) ad
         WHERE a.plan_code = p_plan AND a.year = y AND a.state = 'approved' AND a.unit_key <> root.code
           AND (q = 0 OR a.quarter IN (0, q))
           AND EXISTS (SELECT 1 FROM th_heirs_at(ARRAY[root.code], ad.d) h WHERE th_within(h.key, a.unit_key, ad.d))
         ORDER BY a.changed_at, a.id LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION USING ERRCODE = 'TH017', COLUMN = 'unit_code', DETAIL = above.who || ', ' || above.day,
                                  MESSAGE = 'a unit above has approved: it must reopen first';
        END IF;
        DELETE FROM period_locks l WHERE l.approval_id = ap.id;
        UPDATE approvals a SET state = 'reopened', changed_at = now_t WHERE a.id = ap.id;
        INSERT INTO approval_events (approval_id, action, at, actor_key, actor_unit, actor_role, reason)
        VALUES (ap.id, 'reopen', now_t, coalesce(p_actor_key, ''), p_actor_unit, p_actor_role, p_reason);
        RETURN QUERY SELECT true, 'reopened'::text, now_t, '{}'::text[], 0, root.gso_code;
        RETURN;
    END IF;

    IF FOUND AND ap.state = 'approved' THEN
        RETURN QUERY SELECT false, ap.state, ap.changed_at, '{}'::text[],
                            (SELECT count(DISTINCT l.unit_key)::integer FROM period_locks l WHERE l.approval_id = ap.id),
                            root.gso_code;
        RETURN;
    END IF;

    SELECT coalesce(array_agg(c.label ORDER BY c.label), '{}') INTO pending
      FROM th_approval_children(p_plan, root.code, pl.issuer_unit, sc.whole, y, q, p_end) c
     WHERE NOT c.approved;
    IF cardinality(pending) > 0 AND NOT p_before_children THEN
        RAISE EXCEPTION USING ERRCODE = 'TH031', COLUMN = 'unit_code', DETAIL = array_to_string(pending, ', '),
                              MESSAGE = 'units below have not approved yet';
    END IF;

    SELECT coalesce(array_agg(DISTINCT t.indicator_code ORDER BY t.indicator_code), '{}') INTO inds
      FROM plan_targets t WHERE t.plan_id = pl.id AND y BETWEEN t.year_from AND t.year_to;

    -- What is stored now is what is approved: wait for the batches being
    -- stored, and keep new ones out until this commits.
    PERFORM th_results_hold();
    IF ap.id IS NULL THEN
        INSERT INTO approvals (plan_code, unit_key, year, quarter, state, indicator_codes, changed_at)
        VALUES (p_plan, root.code, y, q, 'approved', inds, now_t)
        RETURNING * INTO ap;
    ELSE
        UPDATE approvals a SET state = 'approved', indicator_codes = inds, changed_at = now_t
         WHERE a.id = ap.id;
    END IF;
    INSERT INTO period_locks (unit_key, year, quarter, approval_id)
    SELECT s.unit_key, y, s.quarter, ap.id FROM th_approval_lock_set(root.code, pl.issuer_unit, sc.whole, p_end, q) s
    ON CONFLICT DO NOTHING;
    SELECT count(DISTINCT l.unit_key)::integer INTO n FROM period_locks l WHERE l.approval_id = ap.id;
    INSERT INTO approval_events (approval_id, action, at, actor_key, actor_unit, actor_role, reason,
                                 before_children, children_pending)
    VALUES (ap.id, 'approve', now_t, coalesce(p_actor_key, ''), p_actor_unit, p_actor_role,
            nullif(p_reason, ''), cardinality(pending) > 0, pending);
    RETURN QUERY SELECT true, 'approved'::text, now_t, pending, n, root.gso_code;
END;
$$;

-- The approval state of a plan's period at a unit (a key), as a report
-- shows it: {"state", "at", "by", "before_children"} of the latest
-- transition, or NULL when never approved.
CREATE OR REPLACE FUNCTION th_approval_json(p_plan text, p_unit_key text, p_year integer, p_quarter integer)
RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
               'state', a.state,
               'at', to_char(a.changed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
               'by', coalesce(ku.gso_code, ''),
               'by_role', e.actor_role)
           || CASE WHEN e.before_children THEN jsonb_build_object('before_children', true,
                                                                  'children_pending', to_jsonb(e.children_pending))
                   ELSE '{}'::jsonb END
           || CASE WHEN e.reason IS NOT NULL THEN jsonb_build_object('reason', e.reason) ELSE '{}'::jsonb END
      FROM approvals a
      JOIN LATERAL (SELECT * FROM approval_events x WHERE x.approval_id = a.id ORDER BY x.id DESC LIMIT 1) e ON true
      LEFT JOIN units ku ON ku.code = e.actor_unit
     WHERE a.plan_code = p_plan AND a.unit_key = p_unit_key AND a.year = p_year AND a.quarter = p_quarter
$$;

-- Every transition of a plan's approvals for a period at a unit (a GSO
-- code; NULL: the plan's issuer) and the units below it, oldest first.
CREATE OR REPLACE FUNCTION th_approval_history(p_plan text, p_period text, p_unit text)
RETURNS TABLE (unit_code text, unit_name text, action text, at bigint, actor_key text, actor_unit text,
               actor_role text, reason text, before_children boolean, children_pending text[])
LANGUAGE plpgsql STABLE AS $$
DECLARE
    pl    plans%ROWTYPE;
    y     integer := substr(p_period, 1, 4)::integer;
    q     integer := CASE WHEN length(p_period) = 6 THEN substr(p_period, 6, 1)::integer ELSE 0 END;
    p_end date := th_period_last_day(p_period);
    sc    record;
BEGIN
    SELECT * INTO pl FROM th_plan_or_raise(p_plan);
    sc := th_plan_scope(pl.issuer_unit, p_unit, p_end);
    RETURN QUERY
    SELECT u.gso_code, u.name_with_type, e.action, extract(epoch FROM e.at)::bigint, e.actor_key,
           ku.gso_code, e.actor_role, e.reason, e.before_children, e.children_pending
      FROM approvals a
      JOIN th_subtree(sc.root_key, p_end) t ON t.code = a.unit_key
      JOIN units u ON u.code = a.unit_key
      JOIN approval_events e ON e.approval_id = a.id
      LEFT JOIN units ku ON ku.code = e.actor_unit
     WHERE a.plan_code = p_plan AND a.year = y AND a.quarter = q
     ORDER BY e.at, e.id;
END;
$$;

-- After the unit tree changed (th_units_apply, 15_units_import.sql): each
-- standing approval locks again exactly the results that count in its
-- unit's report now. A commune added to an approved district's territory
-- by a later list is locked too (it was not, and its results would have
-- changed the approved report unseen); one moved out is no longer locked
-- by this approval. Returns how many approvals' locks changed, and the
-- locks added and removed (import-units says so).
CREATE OR REPLACE FUNCTION th_approval_locks_follow(OUT approvals_changed integer, OUT locks_added bigint,
                                                    OUT locks_removed bigint)
LANGUAGE plpgsql AS $$
DECLARE
    a     record;
    p_end date;
    whole boolean;
    n_add bigint;
    n_del bigint;
BEGIN
    approvals_changed := 0;
    locks_added := 0;
    locks_removed := 0;
    FOR a IN SELECT ap.id, ap.unit_key, ap.year, ap.quarter, pl.issuer_unit
               FROM approvals ap JOIN current_plans pl ON pl.code = ap.plan_code
              WHERE ap.state = 'approved'
              ORDER BY ap.id
    LOOP
        p_end := th_period_last_day(a.year || CASE WHEN a.quarter > 0 THEN 'Q' || a.quarter ELSE '' END);
        -- (An approving unit the new list ends before the period's end has
        -- no report to follow: its locks stay as they were.)
        CONTINUE WHEN NOT EXISTS (SELECT 1 FROM units u WHERE u.code = a.unit_key AND u.valid_from <= p_end
                                     AND (u.valid_to IS NULL OR u.valid_to > p_end));
        whole := th_within(a.unit_key, a.issuer_unit, p_end);
        -- (Both from one reading of what the approval locks now: the rows
        -- to drop are not in it, the rows to add not yet in the table.)
        WITH want AS MATERIALIZED (
            SELECT w.unit_key, w.quarter FROM th_approval_lock_set(a.unit_key, a.issuer_unit, whole, p_end, a.quarter) w
        ), del AS (
            DELETE FROM period_locks l
             WHERE l.approval_id = a.id AND (l.unit_key, l.quarter) NOT IN (SELECT w.unit_key, w.quarter FROM want w)
            RETURNING 1
        ), ins AS (
            INSERT INTO period_locks (unit_key, year, quarter, approval_id)
            SELECT w.unit_key, a.year, w.quarter, a.id FROM want w
            ON CONFLICT DO NOTHING
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM del) INTO n_add, n_del;
        IF n_add + n_del > 0 THEN
            approvals_changed := approvals_changed + 1;
            locks_added := locks_added + n_add;
            locks_removed := locks_removed + n_del;
        END IF;
    END LOOP;
END;
$$;
