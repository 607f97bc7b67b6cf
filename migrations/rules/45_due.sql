-- rules/45_due.sql: deadlines at work: the ack of a late submission, and
-- what is due for a unit and below it (`tonghop due`).
--
-- Which deadline applies to a period is th_deadline_for (30_plans.sql),
-- the same rule the report uses; a deadline D is met by results received
-- before the end of D in Vietnam (th_deadline_end). "Now" is th_now()
-- (05_clock.sql): the test clock when the server runs with one.
--
-- A rules file: SQL functions only, re-applied by `tonghopd migrate`
-- whenever its content changes. Every statement must be re-runnable.

-- For the stored submissions among p_ids that name a plan (plan_code):
-- the deadline that applies to the sender's level and quarter, and whether
-- it had passed when the submission was received. Submissions without a
-- plan, or whose plan has no deadline for them, give no row. Called by the
-- server after storing a batch, only when some submission named a plan.
CREATE OR REPLACE FUNCTION th_submission_lateness(p_ids uuid[])
RETURNS TABLE (id uuid, late boolean, deadline date)
LANGUAGE sql STABLE AS $$
    SELECT s.id, s.received_at >= th_deadline_end(f.due_on), f.due_on
      FROM submissions s
      JOIN current_plans c ON c.code = s.plan_code
      JOIN units u ON u.code = s.unit_code
      CROSS JOIN LATERAL th_deadline_for(c.id, th_unit_role(u.type, u.parent_code), s.year, s.quarter) f
     WHERE s.id = ANY (p_ids) AND s.plan_code IS NOT NULL
$$;

-- The quarter we are in, by th_now() in Vietnam: "2025Q4".
CREATE OR REPLACE FUNCTION th_current_quarter()
RETURNS text LANGUAGE sql VOLATILE AS $$
    SELECT to_char(th_now() AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY"Q"Q')
$$;

-- What is due for a unit (a GSO code) and the units below it for a period
-- (a year "2025" or a quarter "2025Q3"; NULL: the current quarter), per
-- plan in force that covers the unit or was issued inside its territory
-- (only p_plan when given), as one JSON document (format tonghop-due/1):
--   unit, period, now (Vietnam time)
--   items[]: plan {code, title, issuer_unit}, level (who reports),
--            deadline {date, level, kind} or null, seconds_left (negative:
--            overdue by), expected, reported, missing[] {code, name},
--            late[] {code, name, received_at}
-- The units expected are those of the reporting level in the plan's
-- territory as the tree stands on the period's last day, as in the report
-- (40_report.sql), and "reported" and "late" are the report's: a unit has
-- reported when it (or a unit below it) sent results for a plan indicator
-- in the period, late when its latest first sending of a quarter came after
-- the deadline. Items: those with units missing first, then by deadline
-- (soonest, so the overdue, first; none last), then by plan code.
-- Refusals as th_report: TH007 UNKNOWN_UNIT, TH029 UNIT_CEASED, TH026
-- NOT_FOUND (the plan), TH028 OUTSIDE_PLAN.
CREATE OR REPLACE FUNCTION th_due(p_unit text, p_plan text, p_period text)
RETURNS jsonb LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_custom_plan
SET jit = off
AS $$
DECLARE
    now_t    timestamptz := th_now();
    per      text := coalesce(nullif(p_period, ''), th_current_quarter());
    y        integer := substr(per, 1, 4)::integer;
    q        integer := CASE WHEN length(per) = 6 THEN substr(per, 6, 1)::integer ELSE 0 END;
    p_end    date;
    root     units%ROWTYPE;
    root_key text;
    pl       plans%ROWTYPE;
    lvl      text;
    planned  text;
    whole    boolean;
    dl       date;
    dl_level text;
    dl_kind  text;
    item     jsonb;
    items    jsonb := '[]'::jsonb;
BEGIN
    p_end := th_period_last_day(per);
    root_key := th_unit_key_or_raise(p_unit, p_end);
    IF p_plan IS NOT NULL THEN
        PERFORM th_plan_or_raise(p_plan);
    END IF;
    SELECT * INTO root FROM units WHERE code = root_key;

    FOR pl IN
        SELECT c.* FROM current_plans c
         WHERE (p_plan IS NULL OR c.code = p_plan)
           AND y BETWEEN c.year_from AND c.year_to
           AND (th_in_territory(root.code, c.issuer_unit, p_end)
                OR EXISTS (SELECT 1 FROM th_subtree(root.code, p_end) t
                            WHERE th_in_territory(t.code, c.issuer_unit, p_end)))
         ORDER BY c.code
    LOOP
        whole := th_within(root.code, pl.issuer_unit, p_end);
        SELECT r.level, r.planned INTO lvl, planned FROM th_reporting_level(pl.reporting_level, root.code, p_end) r;
        dl := NULL; dl_level := NULL; dl_kind := NULL;
        SELECT f.due_on, f.level, f.kind INTO dl, dl_level, dl_kind
          FROM th_deadline_for(pl.id, coalesce(planned, lvl), y, q) f;

        WITH tree AS MATERIALIZED (
            SELECT t.code, t.reporter FROM th_subtree_detail(root.code, p_end, lvl) t
             WHERE whole OR t.code IN (SELECT th_territory_among(ARRAY(SELECT s.code FROM th_subtree(root.code, p_end) s),
                                                                 pl.issuer_unit, p_end))
        ), firsts AS (
            SELECT t.reporter, min(v.f1) AS f1, min(v.f2) AS f2, min(v.f3) AS f3, min(v.f4) AS f4
              FROM unit_period_values v
              JOIN tree t ON t.code = v.end_key
             WHERE v.year = y AND v.quarter = q AND t.reporter IS NOT NULL
               AND v.indicator_code IN (SELECT pt.indicator_code FROM plan_targets pt
                                         WHERE pt.plan_id = pl.id AND y BETWEEN pt.year_from AND pt.year_to)
             GROUP BY t.reporter
        ), reporters AS (
            SELECT u.gso_code, u.name_with_type AS name,
                   coalesce(f.f1, f.f2, f.f3, f.f4) IS NOT NULL AS reported,
                   greatest(f.f1, f.f2, f.f3, f.f4) AS done_at
              FROM tree t JOIN units u ON u.code = t.code
              LEFT JOIN firsts f ON f.reporter = t.code
             WHERE t.code = t.reporter
        )
        SELECT jsonb_build_object(
                   'plan', jsonb_build_object('code', pl.code, 'title', pl.title,
                                              'issuer_unit', (SELECT i.gso_code FROM units i WHERE i.code = pl.issuer_unit)),
                   'period', per,
                   'level', lvl,
                   'deadline', CASE WHEN dl IS NOT NULL
                                    THEN jsonb_build_object('date', dl, 'level', dl_level, 'kind', dl_kind) END,
                   'seconds_left', CASE WHEN dl IS NOT NULL
                                        THEN floor(extract(epoch FROM th_deadline_end(dl) - now_t))::bigint END,
                   'expected', count(*),
                   'reported', count(*) FILTER (WHERE r.reported),
                   'missing', coalesce(jsonb_agg(jsonb_build_object('code', r.gso_code, 'name', r.name)
                                                 ORDER BY r.gso_code) FILTER (WHERE NOT r.reported), '[]'::jsonb),
                   'late', coalesce(jsonb_agg(jsonb_build_object(
                                        'code', r.gso_code, 'name', r.name,
                                        'received_at', to_char(r.done_at AT TIME ZONE 'Asia/Ho_Chi_Minh',
                                                               'YYYY-MM-DD"T"HH24:MI:SS"+07:00"'))
                                              ORDER BY r.gso_code)
                                    FILTER (WHERE r.reported AND dl IS NOT NULL
                                                  AND r.done_at >= th_deadline_end(dl)), '[]'::jsonb))
               || CASE WHEN planned IS NOT NULL THEN jsonb_build_object('planned_level', planned)
                       ELSE '{}'::jsonb END
          INTO item
          FROM reporters r;
        items := items || jsonb_build_array(item);
    END LOOP;

    IF p_plan IS NOT NULL AND jsonb_array_length(items) = 0 AND NOT EXISTS (
           SELECT 1 FROM current_plans c
            WHERE c.code = p_plan
              AND (th_in_territory(root.code, c.issuer_unit, p_end)
                   OR EXISTS (SELECT 1 FROM th_subtree(root.code, p_end) t
                               WHERE th_in_territory(t.code, c.issuer_unit, p_end)))) THEN
        RAISE EXCEPTION USING ERRCODE = 'TH028', COLUMN = 'unit_code', DETAIL = root.gso_code,
                              MESSAGE = 'the unit is not in the territory the plan covers';
    END IF;

    RETURN jsonb_build_object(
        'format', 'tonghop-due/1',
        'unit', jsonb_build_object('code', root.gso_code, 'name', root.name_with_type,
                                   'role', th_unit_role(root.type, root.parent_code)),
        'period', per,
        'now', to_char(now_t AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD"T"HH24:MI:SS"+07:00"'),
        'items', coalesce((SELECT jsonb_agg(x ORDER BY (x->>'expected')::integer = (x->>'reported')::integer,
                                            x->'deadline'->>'date' NULLS LAST, x->'plan'->>'code')
                             FROM jsonb_array_elements(items) x), '[]'::jsonb));
END;
$$;
