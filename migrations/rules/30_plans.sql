-- rules/30_plans.sql: Plans: publishing a revision, the document a client shows, the plans covering a unit.
--
-- A rules file: SQL functions and views only, applied by `tonghopd migrate`
-- after the versioned migrations whenever this file's content changes
-- (recorded in schema_rules with its SHA-256). Every statement must be
-- re-runnable (CREATE OR REPLACE); a changed signature needs a DROP ...
-- IF EXISTS first. Tables belong in versioned migrations (migrations/NNN_*.sql).

-- The newest revision of each plan.
CREATE OR REPLACE VIEW current_plans AS
SELECT DISTINCT ON (code) * FROM plans ORDER BY code, revision DESC;

-- Stores a plan file already checked for structure by the server. Checks
-- what needs the catalogue, then stores a new revision, or recognises the
-- same revision sent again. Returns one row:
--   outcome   'stored' | 'unchanged' | 'rejected'
--   err_code, err_field, err_detail  (when rejected; codes as in Error.Code)
--   plan_id, revision
-- The key of a plan file's issuer: the unit that held the code when the
-- plan was issued (codes are reused across the 2025 reform), else the one
-- holding it today; NULL when none. A plan keeps that issuer's territory.
CREATE OR REPLACE FUNCTION th_plan_issuer(p jsonb)
RETURNS text LANGUAGE sql STABLE AS $$
    SELECT coalesce(th_unit_key(p->>'issuer_unit', coalesce((p->>'issued_on')::date,
                                                         make_date((p->'years'->>'from')::integer, 1, 1))),
                    th_unit_key(p->>'issuer_unit', current_date))
$$;

-- The year a fixed deadline is for, when the plan file does not say: the
-- date's own year; but when that year is outside the plan's years and the
-- year before is inside, the year before (a January deadline is for the
-- report of the year just ended). NULL for an offset deadline.
CREATE OR REPLACE FUNCTION th_deadline_default_year(p_date date, p_from integer, p_to integer)
RETURNS smallint LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN p_date IS NULL THEN NULL
                WHEN extract(year FROM p_date)::integer NOT BETWEEN p_from AND p_to
                     AND extract(year FROM p_date)::integer - 1 BETWEEN p_from AND p_to
                THEN extract(year FROM p_date)::smallint - 1
                ELSE extract(year FROM p_date)::smallint END
$$;

-- The end of a deadline day D: results received before it are on time
-- (23:59:59 on D in Vietnam, UTC+7, is on time; 00:00:00 on D+1 is late).
CREATE OR REPLACE FUNCTION th_deadline_end(p_due date)
RETURNS timestamptz LANGUAGE sql IMMUTABLE AS $$
    SELECT (p_due + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh'
$$;

-- THE rule for which deadline applies to a period (a year: p_quarter 0, or
-- a quarter) of a plan for reporters of a level: the nearest level that has
-- a deadline for the period, the reporters' own first, then the levels above
-- (commune, district, province; a department's deadlines count only for
-- departments, then the province's). Within that level:
--  * for a quarter: its days_after_quarter deadline (the quarter's last day
--    plus N days), else a date for that quarter ("for": "2025Q3"), else the
--    year's date;
--  * for a year: the year's date, else the fourth quarter's offset deadline.
-- Among several of the same kind, the earliest. Used by the report
-- (40_report.sql), the ack of a late submission and `tonghop due`
-- (45_due.sql). At most one row: due_on, level, kind ('date' or
-- 'days_after_quarter').
CREATE OR REPLACE FUNCTION th_deadline_for(p_plan_id bigint, p_level text, p_year integer, p_quarter integer)
RETURNS TABLE (due_on date, level text, kind text)
LANGUAGE sql STABLE AS $$
    WITH lv AS (
        SELECT CASE WHEN p_level = 'department' THEN ARRAY['department', 'province']
                    ELSE ARRAY['commune', 'district', 'province'] END AS a
    ), c AS (
        SELECT CASE WHEN d.days_after_quarter IS NOT NULL
                    THEN (make_date(p_year, CASE WHEN p_quarter = 0 THEN 12 ELSE p_quarter * 3 END, 1)
                          + interval '1 month' - interval '1 day')::date + d.days_after_quarter
                    ELSE d.due_on END AS due_on,
               d.level,
               CASE WHEN d.days_after_quarter IS NOT NULL THEN 'days_after_quarter' ELSE 'date' END AS kind,
               array_position(lv.a, d.level) AS lpos,
               CASE WHEN p_quarter > 0 THEN CASE WHEN d.days_after_quarter IS NOT NULL THEN 1
                                                 WHEN d.for_quarter = p_quarter THEN 2 ELSE 3 END
                    ELSE CASE WHEN d.due_on IS NOT NULL THEN 1 ELSE 2 END END AS rank
          FROM plan_deadlines d, lv
         WHERE d.plan_id = p_plan_id
           AND array_position(lv.a, d.level) >= coalesce(array_position(lv.a, p_level), 1)
           AND (d.for_year IS NULL OR d.for_year = p_year)
           AND CASE WHEN p_quarter > 0 THEN d.for_quarter IS NULL OR d.for_quarter = p_quarter
                    ELSE (d.due_on IS NOT NULL AND d.for_quarter IS NULL)
                         OR (d.days_after_quarter IS NOT NULL AND coalesce(d.for_quarter, 4) = 4) END
    )
    SELECT c.due_on, c.level, c.kind FROM c ORDER BY c.lpos, c.rank, c.due_on LIMIT 1
$$;

CREATE OR REPLACE FUNCTION th_plan_store(p jsonb)
RETURNS TABLE (outcome text, err_code text, err_field text, err_detail text,
               plan_id bigint, revision integer)
LANGUAGE plpgsql AS $$
DECLARE
    prev   plans%ROWTYPE;
    ind    indicators%ROWTYPE;
    rev    integer := (p->>'revision')::integer;
    pi     integer;
    ti     integer;
    t      jsonb;
    new_id bigint;
    issuer text;
BEGIN
    -- Two publications of the same plan at once: one after the other.
    PERFORM pg_advisory_xact_lock(hashtext('tonghop plan ' || (p->>'code')));

    issuer := th_plan_issuer(p);
    IF issuer IS NULL THEN
        RETURN QUERY SELECT 'rejected', 'UNKNOWN_UNIT', 'issuer_unit', p->>'issuer_unit', NULL::bigint, NULL::integer;
        RETURN;
    END IF;

    SELECT * INTO prev FROM plans WHERE code = p->>'code' ORDER BY plans.revision DESC LIMIT 1;
    IF FOUND THEN
        IF rev = prev.revision AND prev.document = p THEN
            RETURN QUERY SELECT 'unchanged', NULL::text, NULL::text, NULL::text, prev.id, prev.revision;
            RETURN;
        ELSIF rev = prev.revision THEN
            RETURN QUERY SELECT 'rejected', 'PLAN_CODE_REUSED', 'revision', prev.revision::text, NULL::bigint, NULL::integer;
            RETURN;
        ELSIF rev < prev.revision THEN
            RETURN QUERY SELECT 'rejected', 'OLD_REVISION', 'revision', prev.revision::text, NULL::bigint, NULL::integer;
            RETURN;
        ELSIF rev > prev.revision + 1 THEN
            -- A revision only grows by one: a jump (revision 1000000) would
            -- make every later real revision "old".
            RETURN QUERY SELECT 'rejected', 'INVALID_VALUE', 'revision', (prev.revision + 1)::text,
                                NULL::bigint, NULL::integer;
            RETURN;
        END IF;
    ELSIF rev <> 1 THEN
        RETURN QUERY SELECT 'rejected', 'INVALID_VALUE', 'revision', '1', NULL::bigint, NULL::integer;
        RETURN;
    END IF;

    FOR pi IN 0 .. jsonb_array_length(p->'programmes') - 1 LOOP
        FOR ti IN 0 .. jsonb_array_length(p->'programmes'->pi->'targets') - 1 LOOP
            t := p->'programmes'->pi->'targets'->ti;
            SELECT * INTO ind FROM indicators WHERE code = t->>'indicator';
            IF NOT FOUND THEN
                RETURN QUERY SELECT 'rejected', 'UNKNOWN_INDICATOR',
                    format('programmes[%s].targets[%s].indicator', pi, ti), t->>'indicator', NULL::bigint, NULL::integer;
                RETURN;
            END IF;
            IF (ind.kind = 'qualitative') <> (t ? 'text') THEN
                RETURN QUERY SELECT 'rejected', 'WRONG_KIND',
                    format('programmes[%s].targets[%s]', pi, ti), ind.kind, NULL::bigint, NULL::integer;
                RETURN;
            END IF;
            IF ind.kind = 'ratio' AND (t->>'value')::numeric > 100 THEN
                RETURN QUERY SELECT 'rejected', 'RATIO_ABOVE_100',
                    format('programmes[%s].targets[%s].value', pi, ti), t->>'value', NULL::bigint, NULL::integer;
                RETURN;
            END IF;
        END LOOP;
    END LOOP;

    INSERT INTO plans (code, revision, title, issuer_unit, issuing_body, issued_on, year_from, year_to,
                       implements, reporting_level, note, document)
    VALUES (p->>'code', rev, p->>'title', issuer, p->>'issuing_body',
            (p->>'issued_on')::date, (p->'years'->>'from')::smallint, (p->'years'->>'to')::smallint,
            p->>'implements', p->>'reporting_level', p->>'note', p)
    RETURNING id INTO new_id;

    INSERT INTO plan_programmes (plan_id, code, name, position)
    SELECT new_id, g->>'code', g->>'name', o::integer
      FROM jsonb_array_elements(p->'programmes') WITH ORDINALITY AS x(g, o);

    INSERT INTO plan_targets (plan_id, programme_code, indicator_code, year_from, year_to,
                              comparator, value, text, source, position)
    SELECT new_id, g->>'code', tg->>'indicator', (tg->'years'->>'from')::smallint,
           (tg->'years'->>'to')::smallint, tg->>'comparator', (tg->>'value')::numeric,
           tg->>'text', tg->>'source', (o * 1000 + ot)::integer
      FROM jsonb_array_elements(p->'programmes') WITH ORDINALITY AS x(g, o),
           jsonb_array_elements(g->'targets') WITH ORDINALITY AS y(tg, ot);

    INSERT INTO plan_deadlines (plan_id, level, recipient, due_on, days_after_quarter, for_year, for_quarter,
                                position)
    SELECT new_id, d->>'level', d->>'to', (d->>'date')::date, (d->>'days_after_quarter')::integer,
           coalesce(substr(d->>'for', 1, 4)::smallint,
                    th_deadline_default_year((d->>'date')::date, (p->'years'->>'from')::integer,
                                             (p->'years'->>'to')::integer)),
           CASE WHEN length(d->>'for') = 6 THEN substr(d->>'for', 6, 1)::smallint END, o::integer
      FROM jsonb_array_elements(p->'deadlines') WITH ORDINALITY AS x(d, o);

    RETURN QUERY SELECT 'stored', NULL::text, NULL::text, NULL::text, new_id, rev;
END;
$$;

-- A plan as the client shows it: the plan file, plus the issuer's name, the
-- catalogue entries of its indicators, and, when a unit asks, what that unit
-- must report and by when. The deadline for a unit is its own level's, or
-- else the nearest level above it (a commune's results must be in before its
-- district's deadline).
CREATE OR REPLACE FUNCTION th_plan_document(p_plan_id bigint, p_unit text)
RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT pl.document || jsonb_build_object(
        'issuer_unit_name', iu.name_with_type,
        'imported_at', to_char(pl.imported_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
        'indicators', (SELECT jsonb_object_agg(i.code, jsonb_strip_nulls(jsonb_build_object(
                              'name', i.name, 'kind', i.kind,
                              'numerator_label', i.numerator_label,
                              'denominator_label', i.denominator_label)))
                         FROM indicators i
                        WHERE i.code IN (SELECT indicator_code FROM plan_targets WHERE plan_id = pl.id)),
        'for_unit', (SELECT jsonb_build_object(
                         'code', u.gso_code, 'name', u.name_with_type,
                         'role', th_unit_role(u.type, u.parent_code),
                         'covered', th_in_territory(u.code, pl.issuer_unit,
                                                    least(current_date, coalesce(u.valid_to - 1, current_date))),
                         -- (a unit that ceased: the quarters that began before)
                         'quarters', (SELECT jsonb_agg(y || 'Q' || q ORDER BY y, q)
                                        FROM generate_series(pl.year_from::int, pl.year_to::int) y,
                                             generate_series(1, 4) q
                                       WHERE u.valid_to IS NULL OR make_date(y, (q - 1) * 3 + 1, 1) < u.valid_to),
                         'deadlines', coalesce((
                             SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
                                                 'level', d.level, 'to', d.recipient, 'date', d.due_on,
                                                 'days_after_quarter', d.days_after_quarter,
                                                 'for', d.for_year || coalesce('Q' || d.for_quarter, '')))
                                              ORDER BY d.due_on, d.position)
                               FROM plan_deadlines d
                              WHERE d.plan_id = pl.id
                                AND d.level = (SELECT d2.level FROM plan_deadlines d2
                                                WHERE d2.plan_id = pl.id
                                                  AND array_position(ARRAY['commune', 'district', 'province'], d2.level)
                                                      >= array_position(ARRAY['commune', 'district', 'province'],
                                                                        th_unit_role(u.type, u.parent_code))
                                                ORDER BY array_position(ARRAY['commune', 'district', 'province'], d2.level)
                                                LIMIT 1)), '[]'::jsonb))
                       FROM units u WHERE u.code = th_unit_key_latest(p_unit, current_date)))
      FROM plans pl JOIN units iu ON iu.code = pl.issuer_unit
     WHERE pl.id = p_plan_id
$$;

-- The current plans that cover a unit: those issued by the unit or any unit
-- above it (today's tree), and those whose issuer's territory the unit
-- succeeded (a plan of a province merged in 2025 covers its old communes'
-- successors). A code whose unit has ceased names the last unit that held
-- it (th_unit_key_latest), covered as the tree stood on its last day: Phú
-- Hài (22921, merged away in 2025) is still covered by 1751/KH-UBND for the
-- quarters it may send late. With p_unit NULL, every current plan.
CREATE OR REPLACE FUNCTION th_plans_for_unit(p_unit text)
RETURNS SETOF bigint LANGUAGE sql STABLE AS $$
    SELECT c.id FROM current_plans c
     WHERE p_unit IS NULL
        OR EXISTS (SELECT 1 FROM units u
                    WHERE u.code = th_unit_key_latest(p_unit, current_date)
                      AND th_in_territory(u.code, c.issuer_unit, least(current_date, coalesce(u.valid_to - 1, current_date))))
     ORDER BY c.year_from DESC, c.code
$$;

-- The plan in force (its newest revision) with a code, or TH026 NOT_FOUND
-- on the field plan_code (server/sqlerr.h): reports, reviews, approvals
-- and what is due name their plan so.
CREATE OR REPLACE FUNCTION th_plan_or_raise(p_plan text)
RETURNS plans LANGUAGE plpgsql STABLE AS $$
DECLARE
    pl plans%ROWTYPE;
BEGIN
    SELECT * INTO pl FROM current_plans c WHERE c.code = p_plan;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'TH026', COLUMN = 'plan_code', DETAIL = p_plan, MESSAGE = 'no such plan';
    END IF;
    RETURN pl;
END;
$$;

-- Refuses (TH022 OUTSIDE_PLAN_YEARS on the field period, server/sqlerr.h)
-- a report, a review or an approval of a plan for a year the plan does not
-- cover: plan 1751/KH-UBND is for 2025, and its "2024" would be an empty
-- report with deadlines the plan never set.
CREATE OR REPLACE FUNCTION th_plan_year_or_raise(p_plan plans, p_year integer)
RETURNS void LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF p_year NOT BETWEEN p_plan.year_from AND p_plan.year_to THEN
        RAISE EXCEPTION USING ERRCODE = 'TH022', COLUMN = 'period',
                              DETAIL = p_plan.year_from || CASE WHEN p_plan.year_to <> p_plan.year_from
                                                                THEN '-' || p_plan.year_to ELSE '' END,
                              MESSAGE = 'the plan does not cover this year';
    END IF;
END;
$$;

-- The units of root's subtree on p_end that lie in the territory of a
-- plan's issuer, when root's territory is not wholly the plan's: those
-- th_territory_among accepts, and root itself when results of the issuer's
-- territory may end there (a district of Bình Thuận that left no successor,
-- Phan Thiết 593, hands its own results and those of its communes that
-- left none, Bình Hưng 22939, to Bình Thuận, and so to new Lâm Đồng: a plan
-- of Phan Thiết asked for 2025 counts them at Lâm Đồng).
CREATE OR REPLACE FUNCTION th_plan_territory(p_root text, p_issuer text, p_end date)
RETURNS text[] LANGUAGE plpgsql STABLE
-- (PL/pgSQL, planned once per connection, by key: see th_territory_among)
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
AS $$
#variable_conflict use_column
BEGIN
    RETURN (WITH t AS MATERIALIZED (
        SELECT ARRAY(SELECT th_territory_among(ARRAY(SELECT t.code FROM th_subtree(p_root, p_end) t),
                                               p_issuer, p_end)) AS a
    )
    SELECT CASE WHEN p_root = ANY (t.a) THEN t.a   -- (root in already: the usual case, no search)
                WHEN EXISTS (SELECT 1 FROM th_territory_senders(
                                 ARRAY(SELECT c FROM th_unit_sender_candidates(ARRAY[p_root], p_end) c
                                        WHERE c <> p_root), p_issuer))
                THEN t.a || p_root
                ELSE t.a END
      FROM t);
END;
$$;

-- The unit a report, a review or an approval of a plan is about, on the
-- period's last day p_end: p_unit (a GSO code; NULL: the plan's issuer, or
-- what its territory is part of on p_end), its key, and whether its whole
-- territory is the plan's (else only the part that came from the issuer's
-- territory counts: a plan keeps the territory it was issued for; that
-- part is territory, the keys of root's subtree on p_end that lie in the
-- plan's territory (th_plan_territory), found once here for the caller to
-- filter with; NULL when whole). Refuses an unknown or ceased unit
-- (th_unit_key_or_raise), an issuer that left no heir (TH029), and a unit
-- none of whose territory is the plan's (TH028 OUTSIDE_PLAN).
DROP FUNCTION IF EXISTS th_plan_scope(text, text, date);
CREATE OR REPLACE FUNCTION th_plan_scope(p_plan_issuer text, p_unit text, p_end date,
                                         OUT root_key text, OUT whole boolean, OUT territory text[])
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF p_unit IS NOT NULL THEN
        root_key := th_unit_key_or_raise(p_unit, p_end);
    ELSE
        SELECT h.key INTO root_key FROM th_heirs_at(ARRAY[p_plan_issuer], p_end) h;
        IF root_key IS NULL THEN
            RAISE EXCEPTION USING ERRCODE = 'TH029', COLUMN = 'unit_code',
                                  DETAIL = (SELECT u.gso_code || ' ' || coalesce(th_unit_ceased_text(u.code), '')
                                              FROM units u WHERE u.code = p_plan_issuer),
                                  MESSAGE = 'the issuer had ceased by the end of the period';
        END IF;
    END IF;
    whole := th_within(root_key, p_plan_issuer, p_end);
    IF NOT whole THEN
        territory := th_plan_territory(root_key, p_plan_issuer, p_end);
        IF cardinality(territory) = 0 THEN
            RAISE EXCEPTION USING ERRCODE = 'TH028', COLUMN = 'unit_code',
                                  DETAIL = (SELECT gso_code FROM units WHERE code = root_key),
                                  MESSAGE = 'the unit is not in the territory the plan covers';
        END IF;
    END IF;
END;
$$;
