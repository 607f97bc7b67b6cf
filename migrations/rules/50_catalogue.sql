-- 50: publishing the indicator catalogue file (a repeatable rules file: it
-- is run again whenever it changes, so everything here is CREATE OR REPLACE).
--
-- Stores one revision of the catalogue file, already checked for structure by
-- the server (common/catalogue_file.c: codes unique and valid, kinds and
-- aggregations known, numerator/denominator consistent with the kind), and
-- applies it to `indicators`:
--   - a code not in the database is added;
--   - a known code takes the file's name, programme, labels and description;
--   - its kind and its numerator/denominator aggregation (flow or stock) may
--     change only while nothing uses it: once results were submitted for it or
--     a plan sets a target on it, changing them would change the meaning of
--     figures already given, so the whole file is refused (INDICATOR_IN_USE);
--   - an indicator absent from the file is kept as it is (plans and results
--     may refer to it).
-- Revisions are numbered 1, 2, 3...: a new one must be the latest + 1 (on a
-- database where none was published yet, any number). The same revision sent
-- again with the same content is recognised ('unchanged').
--
-- Returns one row:
--   outcome   'stored' | 'unchanged' | 'rejected'
--   err_code, err_field, err_detail  (when rejected; codes as in Error.Code):
--     OLD_REVISION   field 'revision', detail the latest stored revision
--                    (the revision is not newer, or was stored with other content)
--     INVALID_VALUE  field 'revision', detail the only revision that may come
--                    next (latest + 1)
--     INDICATOR_IN_USE  field 'indicators[i].kind' or
--                    'indicators[i].numerator.aggregation' /
--                    'indicators[i].denominator.aggregation', detail the code
--   revision, added, changed   (indicators added, and existing ones changed)
-- Rejections write nothing: every check is made before the first write.
CREATE OR REPLACE FUNCTION th_catalogue_store(p jsonb)
RETURNS TABLE (outcome text, err_code text, err_field text, err_detail text,
               revision integer, added integer, changed integer)
LANGUAGE plpgsql AS $$
DECLARE
    rev       integer := (p->>'revision')::integer;
    n         integer := coalesce(jsonb_array_length(p->'indicators'), 0);
    latest    integer;
    prev_doc  jsonb;
    ind       indicators%ROWTYPE;
    e         jsonb;
    i         integer;
    what      text;
    n_added   integer := 0;
    n_changed integer := 0;
BEGIN
    -- Two publications at once: one after the other.
    PERFORM pg_advisory_xact_lock(hashtext('tonghop catalogue'));

    SELECT c.document INTO prev_doc FROM catalogue_revisions c WHERE c.revision = rev;
    IF FOUND AND prev_doc = p THEN
        RETURN QUERY SELECT 'unchanged', NULL::text, NULL::text, NULL::text, rev, 0, 0;
        RETURN;
    END IF;
    SELECT max(c.revision) INTO latest FROM catalogue_revisions c;
    IF latest IS NOT NULL AND rev <= latest THEN
        RETURN QUERY SELECT 'rejected', 'OLD_REVISION', 'revision', latest::text,
            NULL::integer, NULL::integer, NULL::integer;
        RETURN;
    ELSIF latest IS NOT NULL AND rev <> latest + 1 THEN
        RETURN QUERY SELECT 'rejected', 'INVALID_VALUE', 'revision', (latest + 1)::text,
            NULL::integer, NULL::integer, NULL::integer;
        RETURN;
    END IF;

    -- Checks first: what may not change.
    FOR i IN 0 .. n - 1 LOOP
        e := p->'indicators'->i;
        SELECT * INTO ind FROM indicators x WHERE x.code = e->>'code';
        CONTINUE WHEN NOT FOUND;
        what := CASE
            WHEN ind.kind IS DISTINCT FROM e->>'kind' THEN 'kind'
            WHEN ind.numerator_agg IS DISTINCT FROM e->'numerator'->>'aggregation' THEN 'numerator.aggregation'
            WHEN ind.denominator_agg IS DISTINCT FROM e->'denominator'->>'aggregation' THEN 'denominator.aggregation'
        END;
        CONTINUE WHEN what IS NULL;
        -- A batch being stored holds a key-share lock on the indicators it
        -- refers to until it commits (th_ingest_batch): wait for it, so that
        -- its results are seen below.
        PERFORM 1 FROM indicators x WHERE x.code = ind.code FOR UPDATE;
        IF EXISTS (SELECT 1 FROM current_results r WHERE r.indicator_code = ind.code)
           OR EXISTS (SELECT 1 FROM result_values v WHERE v.indicator_code = ind.code)
           OR EXISTS (SELECT 1 FROM plan_targets t WHERE t.indicator_code = ind.code) THEN
            RETURN QUERY SELECT 'rejected', 'INDICATOR_IN_USE', format('indicators[%s].%s', i, what), ind.code,
                NULL::integer, NULL::integer, NULL::integer;
            RETURN;
        END IF;
    END LOOP;

    FOR i IN 0 .. n - 1 LOOP
        e := p->'indicators'->i;
        SELECT * INTO ind FROM indicators x WHERE x.code = e->>'code';
        IF NOT FOUND THEN
            INSERT INTO indicators (code, name, kind, numerator_label, denominator_label,
                                    numerator_agg, denominator_agg, programme, description)
            VALUES (e->>'code', e->>'name', e->>'kind',
                    e->'numerator'->>'label', e->'denominator'->>'label',
                    e->'numerator'->>'aggregation', e->'denominator'->>'aggregation',
                    e->>'programme', e->>'description');
            n_added := n_added + 1;
        ELSIF (ind.name, ind.kind, ind.numerator_label, ind.denominator_label, ind.numerator_agg,
               ind.denominator_agg, ind.programme, ind.description)
              IS DISTINCT FROM
              (e->>'name', e->>'kind', e->'numerator'->>'label', e->'denominator'->>'label',
               e->'numerator'->>'aggregation', e->'denominator'->>'aggregation', e->>'programme',
               e->>'description') THEN
            UPDATE indicators x
               SET name = e->>'name', kind = e->>'kind',
                   numerator_label = e->'numerator'->>'label',
                   denominator_label = e->'denominator'->>'label',
                   numerator_agg = e->'numerator'->>'aggregation',
                   denominator_agg = e->'denominator'->>'aggregation',
                   programme = e->>'programme', description = e->>'description'
             WHERE x.code = ind.code;
            n_changed := n_changed + 1;
        END IF;
    END LOOP;

    INSERT INTO catalogue_revisions (revision, document) VALUES (rev, p);
    RETURN QUERY SELECT 'stored', NULL::text, NULL::text, NULL::text, rev, n_added, n_changed;
END;
$$;
