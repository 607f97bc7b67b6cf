-- rules/65_notify.sql: live notifications: which subscribers an event reaches, and the deadlines that come near.
--
-- The server publishes each event (server/notify.h) under topics, and
-- subscribes each subscriber's connection, from its key, to the topics of
-- its territory -- never to what the subscriber asked for:
--   "u:KEY|"  an event about unit KEY's territory: published under the unit
--             the event is about and under every unit above it (on the
--             period's last day, and today through its heirs); a subscriber
--             whose unit is KEY gets what happens at KEY and below
--   "d:KEY|"  an event for everything below KEY (a plan KEY published, a
--             period KEY approved): a subscriber gets the "d:" topics of its
--             unit and of every unit above it
--
-- A rules file: SQL functions and views only, applied by `tonghopd migrate`
-- after the versioned migrations whenever this file's content changes
-- (recorded in schema_rules with its SHA-256). Every statement must be
-- re-runnable (CREATE OR REPLACE); a changed signature needs a DROP ...
-- IF EXISTS first. Tables belong in versioned migrations (migrations/NNN_*.sql).

-- The unit a GSO code names for an event's period ("2025Q3", "2025", or
-- NULL/'': today): the one that held it during the quarter, else on the
-- period's last day, else the last one before, else today's.
CREATE OR REPLACE FUNCTION th_notify_unit_key(p_gso text, p_period text)
RETURNS text LANGUAGE sql STABLE AS $$
    SELECT coalesce(
        CASE WHEN length(p_period) = 6
             THEN th_unit_key_in(p_gso, substr(p_period, 1, 4)::integer, substr(p_period, 6, 1)::integer) END,
        CASE WHEN coalesce(p_period, '') <> '' THEN th_unit_key(p_gso, th_period_last_day(p_period)) END,
        CASE WHEN coalesce(p_period, '') <> '' THEN th_unit_key_before(p_gso, th_period_last_day(p_period)) END,
        th_unit_key(p_gso, th_now()::date))
$$;

-- For each event (a unit's GSO code, the period, and whether it is for the
-- units below: p_down), the topics it is published under and the unit's
-- name. i is the event's index (from 1).
CREATE OR REPLACE FUNCTION th_notify_topics(p_units text[], p_periods text[], p_down boolean[])
RETURNS TABLE (i integer, topics text[], unit_name text)
LANGUAGE sql STABLE AS $$
    WITH e AS (
        SELECT x.o::integer AS i, x.down, th_notify_unit_key(x.gso, x.per) AS key,
               CASE WHEN coalesce(x.per, '') = '' THEN th_now()::date ELSE th_period_last_day(x.per) END AS d
          FROM unnest(p_units, p_periods, p_down) WITH ORDINALITY AS x(gso, per, down, o)
    )
    SELECT e.i,
           ARRAY(SELECT DISTINCT t FROM (
                     SELECT 'u:' || a.code || '|' AS t FROM th_ancestors(e.key, e.d) a
                      WHERE NOT e.down OR a.distance > 0
                     UNION
                     SELECT 'u:' || x.code || '|' FROM th_heirs_at(ARRAY[e.key], th_now()::date) h
                      CROSS JOIN LATERAL th_ancestors(h.key, th_now()::date) x
                      WHERE h.depth > 0
                     UNION
                     SELECT 'd:' || e.key || '|' WHERE e.down) s
                  ORDER BY t),
           (SELECT u.name_with_type FROM units u WHERE u.code = e.key)
      FROM e
     WHERE e.key IS NOT NULL
$$;

-- The topics a subscriber's connection gets: the territory of its key's
-- unit (p_key_unit, a unit key; NULL: a server without keys, or a ministry
-- or admin key: the whole country), or of the unit it asked for (a GSO
-- code) when that lies in the key's territory (th_key_covers); a unit
-- outside it gives the key's own territory, never a wider one. Its own
-- "u:" topic, and the "d:" topics of it and every unit above it today.
CREATE OR REPLACE FUNCTION th_notify_subscription(p_key_unit text, p_asked text)
RETURNS TABLE (unit_key text, topics text[])
LANGUAGE sql STABLE AS $$
    WITH asked AS (
        SELECT th_unit_key(nullif(p_asked, ''), th_now()::date) AS k
    ), unit AS (
        SELECT CASE WHEN a.k IS NOT NULL
                         AND (p_key_unit IS NULL OR th_key_covers(p_key_unit, a.k, th_now()::date))
                    THEN a.k ELSE coalesce(p_key_unit, 'VN') END AS k
          FROM asked a
    )
    SELECT u.k, ARRAY['u:' || u.k || '|'] || ARRAY(SELECT 'd:' || a.code || '|' FROM th_ancestors(u.k, th_now()::date) a
                                                  ORDER BY a.distance)
      FROM unit u
$$;

-- The deadline events between two instants (p_from, p_to]: for every plan
-- in force and every period (a quarter, or a year) whose deadline
-- (th_deadline_for, for the plan's reporting level) comes within 7, 3 or 1
-- days in that window, one DEADLINE_NEAR per unit that has not reported
-- (days: 7, 3 or 1); for every deadline that passed in the window, one
-- DEADLINE_MISSED per unit that has not reported. "Not reported" is
-- th_due's (45_due.sql), asked of the plan's issuer (or its heir on the
-- period's last day).
CREATE OR REPLACE FUNCTION th_notify_deadlines(p_from timestamptz, p_to timestamptz)
RETURNS TABLE (kind text, unit_code text, period text, plan_code text, deadline date, days integer)
LANGUAGE plpgsql STABLE
SET jit = off
AS $$
DECLARE
    pl    plans%ROWTYPE;
    y     integer;
    q     integer;
    per   text;
    p_end date;
    root  text;
    dl    date;
    lvl   text;
    k     integer;
    due   jsonb;
    ev_kind text;
BEGIN
    FOR pl IN SELECT c.* FROM current_plans c LOOP
        FOR y IN greatest(pl.year_from, extract(year FROM p_to)::integer - 1)
                 .. least(pl.year_to, extract(year FROM p_to)::integer) LOOP
            FOR q IN 0 .. 4 LOOP
                per := y::text || CASE WHEN q = 0 THEN '' ELSE 'Q' || q END;
                p_end := th_period_last_day(per);
                root := (SELECT h.key FROM th_heirs_at(ARRAY[pl.issuer_unit], p_end) h);
                CONTINUE WHEN root IS NULL;
                SELECT coalesce(r.planned, r.level) INTO lvl FROM th_reporting_level(pl.reporting_level, root, p_end) r;
                dl := (SELECT f.due_on FROM th_deadline_for(pl.id, lvl, y, q) f);
                CONTINUE WHEN dl IS NULL;
                -- A quarter whose deadline is the year's date: announced once, for the year.
                CONTINUE WHEN q > 0 AND dl = (SELECT f.due_on FROM th_deadline_for(pl.id, lvl, y, 0) f)
                              AND NOT EXISTS (SELECT 1 FROM plan_deadlines d
                                               WHERE d.plan_id = pl.id AND (d.days_after_quarter IS NOT NULL
                                                                            OR d.for_quarter = q));
                ev_kind := NULL;
                IF th_deadline_end(dl) > p_from AND th_deadline_end(dl) <= p_to THEN
                    ev_kind := 'DEADLINE_MISSED';
                    k := 0;
                ELSE
                    FOREACH k IN ARRAY ARRAY[1, 3, 7] LOOP
                        IF th_deadline_end(dl) - make_interval(days => k) > p_from
                           AND th_deadline_end(dl) - make_interval(days => k) <= p_to THEN
                            ev_kind := 'DEADLINE_NEAR';
                            EXIT;
                        END IF;
                    END LOOP;
                END IF;
                CONTINUE WHEN ev_kind IS NULL;
                due := th_due((SELECT u.gso_code FROM units u WHERE u.code = root), pl.code, per);
                RETURN QUERY
                SELECT ev_kind, m->>'code', per, pl.code, dl, k
                  FROM jsonb_array_elements(due->'items') it, jsonb_array_elements(it->'missing') m
                 WHERE it->'plan'->>'code' = pl.code;
            END LOOP;
        END LOOP;
    END LOOP;
END;
$$;
