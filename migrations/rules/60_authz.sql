-- rules/60_authz.sql: what a key's unit may read and publish (server/authz.h).
--
-- A rules file: SQL functions only, re-applied by `tonghopd migrate`
-- whenever its content changes. The server asks these on a worker, before
-- the request's own work, for keys of communes, districts and provinces
-- (ministry and admin keys read everything and are not asked about).

-- The last day of a period written "2025" or "2025Q3"; today when NULL.
CREATE OR REPLACE FUNCTION th_period_last_day(p_period text)
RETURNS date LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN p_period IS NULL OR p_period = '' THEN current_date
        WHEN length(p_period) = 4 THEN make_date(p_period::integer, 12, 31)
        ELSE (make_date(substr(p_period, 1, 4)::integer, substr(p_period, 6, 1)::integer * 3, 1)
              + interval '1 month' - interval '1 day')::date
    END
$$;

-- The office of a key's unit today: the unit while it exists, and after it
-- ceased, the successor that kept its code (the same office: old Phường
-- Phú Thủy, 22924, is new Phú Thủy, 22924). None when its code went
-- nowhere (old Bình Thuận, 60). Found through the successions, not
-- th_heirs_at: a unit split among several successors has one heir there,
-- the first listed, and it need not be the one that kept the code (Phường
-- Ngã Tư Sở, 00235, went into 00229 and 00235).
CREATE OR REPLACE FUNCTION th_key_office_today(p_key_unit text)
RETURNS SETOF text LANGUAGE sql STABLE AS $$
    SELECT u.code FROM units k JOIN units u ON u.gso_code = k.gso_code
     WHERE k.code = p_key_unit
       AND u.valid_from <= current_date AND (u.valid_to IS NULL OR u.valid_to > current_date)
       AND (u.code = k.code OR EXISTS (SELECT 1 FROM th_lineage(u.code) l WHERE l.code = k.code))
$$;

-- Whether the territory of a key's unit holds a unit on a day: the unit
-- itself, or below it that day (th_within); or, after a merger, a unit
-- whose territory is today the key's office's (its heir today is that
-- office or below it): new Lâm Đồng reads what old Bình Thuận's communes
-- sent before July 2025, and old Phú Thủy's key reads Phú Hài, which went
-- into new Phú Thủy. A key whose unit's code went nowhere keeps its old
-- territory as it was: old Bình Thuận's (60), still enrolled, does not
-- read, publish for or hear new Lâm Đồng (68), with old Lâm Đồng and Đắk
-- Nông in it. (A plan, unlike a key, keeps its territory through every
-- successor: th_in_territory.)
CREATE OR REPLACE FUNCTION th_key_covers(p_key_unit text, p_unit text, p_day date)
RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT th_within(p_unit, p_key_unit, p_day)
        OR EXISTS (SELECT 1 FROM th_heirs_at(ARRAY[p_unit], current_date) h, th_key_office_today(p_key_unit) o
                    WHERE th_within(h.key, o, current_date))
$$;

-- May a key's unit read a unit (a GSO code, as the request wrote it) for a
-- period, or, with p_unit NULL, what a report asks by default: the plan's
-- issuer, or, when it had ceased by the period's last day, the unit its
-- territory is part of then (th_plan_scope): old Hà Giang's key (02, whose
-- code went nowhere) does not read its own plan's 2025Q3, which is about
-- new Tuyên Quang. target is the GSO code checked, for the refusal. A
-- unit or plan that does not exist is allowed here: the request itself
-- then says it is unknown, or, for a unit that came into being after the
-- period (a commune made by the 2025 reform, asked for 2025Q2), when it
-- did and what it was made from.
CREATE OR REPLACE FUNCTION th_may_read(p_key_unit text, p_unit text, p_plan text, p_period text)
RETURNS TABLE (allowed boolean, target text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    d date := th_period_last_day(p_period);
    k text;
BEGIN
    IF p_unit IS NOT NULL THEN
        k := coalesce(th_unit_key(p_unit, d), th_unit_key_before(p_unit, d));
        RETURN QUERY SELECT k IS NULL OR th_key_covers(p_key_unit, k, d), p_unit;
        RETURN;
    END IF;
    SELECT c.issuer_unit INTO k FROM current_plans c WHERE c.code = p_plan;
    -- (th_heirs_at: the issuer itself while it exists on d)
    k := coalesce((SELECT h.key FROM th_heirs_at(ARRAY[k], d) h), k);
    RETURN QUERY SELECT k IS NULL OR th_key_covers(p_key_unit, k, d),
                        (SELECT u.gso_code FROM units u WHERE u.code = k);
END
$$;

-- May a key's unit fetch a plan? When the plan covers the unit (the plan
-- it reports against: issued above it, or by it), or the plan's issuer lies
-- in the unit's territory. A unit that ceased is looked at on its last day.
CREATE OR REPLACE FUNCTION th_may_read_plan(p_key_unit text, p_plan text)
RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT c.issuer_unit IS NULL
        OR th_key_covers(p_key_unit, c.issuer_unit, current_date)
        OR th_in_territory(p_key_unit, c.issuer_unit,
                           (SELECT least(current_date, coalesce(u.valid_to - 1, current_date))
                              FROM units u WHERE u.code = p_key_unit))
      FROM (SELECT (SELECT issuer_unit FROM current_plans WHERE code = p_plan) AS issuer_unit) c
$$;

-- May a province key publish a plan file? When the plan's issuer lies in
-- its territory, as it stood when the plan was issued or as it stands
-- today; and, for a new revision of a plan already stored, when the stored
-- revision's issuer does too (else a province could take over another's
-- plan code by naming itself the issuer). target is the issuer's GSO code
-- that is not the key's, for the refusal.
CREATE OR REPLACE FUNCTION th_may_publish_plan(p_key_unit text, p jsonb)
RETURNS TABLE (allowed boolean, target text)
LANGUAGE sql STABLE AS $$
    SELECT (i.k IS NULL
            OR th_key_covers(p_key_unit, i.k, coalesce((p->>'issued_on')::date,
                                                      make_date((p->'years'->>'from')::integer, 1, 1))))
           AND (c.issuer_unit IS NULL OR th_key_covers(p_key_unit, c.issuer_unit, current_date)),
           CASE WHEN c.issuer_unit IS NOT NULL AND NOT th_key_covers(p_key_unit, c.issuer_unit, current_date)
                THEN (SELECT u.gso_code FROM units u WHERE u.code = c.issuer_unit)
                ELSE p->>'issuer_unit' END
      FROM (SELECT th_plan_issuer(p) AS k) i
      LEFT JOIN current_plans c ON c.code = p->>'code'
$$;
