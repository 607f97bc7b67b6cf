-- rules/90_grants.sql: tonghop_server, the least-privilege role `tonghopd serve` runs as.
--
-- A rules file: re-applied by `tonghopd migrate`, last (name order),
-- whenever its content changes. It states the privileges in force: a new
-- table, or a new way for serve to touch one, is a change to this file in
-- the same commit. A rules file that drops and recreates a view loses that
-- view's grants: change this file too, so that it runs again. The
-- integration tests run serve as a member of tonghop_server only, so a
-- privilege missing here fails them.
--
-- tonghop_server is a NOLOGIN group role. The server's own LOGIN role
-- (README: "Running in production") is a member of it and of nothing else;
-- migrate and the admin commands (import-*, enroll, revoke, keys) run as the
-- owner of the tables. tonghop_server owns nothing and may not create
-- anything (no CREATE on the schema), so serve runs no DDL. History is
-- append-only for it: it may add submissions, values, plan revisions,
-- catalogue revisions and audit rows, never change or delete one. The one
-- table it updates is current_results, the value in force (a correction
-- replaces it; the value it replaced stays in result_values), and there only
-- the columns a correction changes. Nothing needs DELETE or TRUNCATE but
-- unit_period_values and review_candidates, derived data that storing
-- results rewrites.
--
-- The functions stay SECURITY INVOKER: serve's rights are checked on each
-- table, whichever function it calls (EXECUTE is PUBLIC's by default, and
-- the admin functions fail for serve on the tables they would write). One
-- exception, callable by tonghop_server only, with the owner's rights:
-- th_refresh_statistics (27_statistics.sql), ANALYZE of the results tables
-- and nothing else.

-- Roles belong to the whole cluster. The role is created when it is missing
-- and the migrating user may (superuser or CREATEROLE); else the database
-- administrator creates it once, and migrate runs again.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tonghop_server') THEN
        RETURN;
    END IF;
    IF NOT (SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user) THEN
        RAISE EXCEPTION USING
            ERRCODE = 'insufficient_privilege',
            MESSAGE = format('the role tonghop_server (the rights of tonghopd serve) does not exist, and %I may '
                             'not create roles: a database administrator runs once, as a superuser: '
                             'CREATE ROLE tonghop_server NOLOGIN; then run tonghopd migrate again',
                             current_user);
    END IF;
    BEGIN
        CREATE ROLE tonghop_server NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
        NULL; -- created meanwhile by a migration of another database of the cluster
    END;
END
$$;

-- Exactly what is granted below: first take back whatever an earlier
-- version of this file (or anyone, by hand, as the owner) granted on the
-- tables and sequences of this schema the migrating user owns.
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT c.oid::regclass AS rel, c.relkind
               FROM pg_class c
              WHERE c.relnamespace = 'public'::regnamespace
                AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
                AND pg_has_role(c.relowner, 'USAGE')
    LOOP
        EXECUTE format('REVOKE ALL ON %s %s FROM tonghop_server',
                       CASE WHEN r.relkind = 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, r.rel);
    END LOOP;
    IF EXISTS (SELECT 1 FROM pg_namespace n, aclexplode(n.nspacl) a
                WHERE n.nspname = 'public' AND a.grantee = 'tonghop_server'::regrole AND a.privilege_type = 'CREATE')
    THEN
        REVOKE CREATE ON SCHEMA public FROM tonghop_server;
    END IF;
    -- PUBLIC holds CONNECT and USAGE by default; a hardened database may
    -- have taken them away.
    IF NOT has_database_privilege('tonghop_server', current_database(), 'CONNECT') THEN
        EXECUTE format('GRANT CONNECT ON DATABASE %I TO tonghop_server', current_database());
    END IF;
    IF NOT has_schema_privilege('tonghop_server', 'public', 'USAGE') THEN
        GRANT USAGE ON SCHEMA public TO tonghop_server;
    END IF;
    -- A database made before PostgreSQL 15 (pg_upgrade keeps it) lets
    -- PUBLIC create in schema public; that is the DBA's to take back.
    IF has_schema_privilege('tonghop_server', 'public', 'CREATE') THEN
        RAISE WARNING 'every role, tonghop_server included, may create objects in schema public; '
                      'a database administrator runs: REVOKE CREATE ON SCHEMA public FROM PUBLIC;';
    END IF;
END
$$;

-- serve checks the schema is its own before it starts (migrate.c).
GRANT SELECT ON schema_migrations, schema_rules TO tonghop_server;

-- The unit tree through time: every request resolves codes, territories
-- and heirs (10_units.sql, 60_authz.sql). Only import-units writes it.
GRANT SELECT ON units, unit_parents, unit_successions, unit_orphans, unit_origins, unit_sender_paths,
                unit_heir_steps TO tonghop_server;

-- The enrolled keys, reloaded twice a second (keys.c). enroll and revoke
-- are admin commands: serve must not be able to let a key in.
GRANT SELECT ON client_keys TO tonghop_server;

-- Submissions (th_ingest_submission, 20_ingest.sql): the submission and
-- its values are history, appended once; a resend is recognised by
-- reading them. The value in force is replaced on a correction (INSERT ...
-- ON CONFLICT DO UPDATE), only in the columns a correction changes: never
-- its unit, indicator or quarter.
GRANT SELECT, INSERT ON submissions, result_values TO tonghop_server;
GRANT SELECT, INSERT ON current_results TO tonghop_server;
GRANT UPDATE (submission_id, numerator, denominator, value, text, updated_at) ON current_results TO tonghop_server;

-- Plans (th_plan_store, 30_plans.sql): a publication appends a revision
-- (an id from the sequence) with its programmes, targets and deadlines;
-- earlier revisions stay as they were. Reports and plan fetches read them.
GRANT SELECT, INSERT ON plans, plan_programmes, plan_targets, plan_deadlines TO tonghop_server;
GRANT SELECT ON current_plans TO tonghop_server;
DO $$
BEGIN
    EXECUTE format('GRANT USAGE ON SEQUENCE %s TO tonghop_server', pg_get_serial_sequence('public.plans', 'id'));
END
$$;

-- The indicator catalogue (th_catalogue_store, 50_catalogue.sql): a
-- publication appends a revision and adds or rewords indicators (locking
-- a row it checks takes UPDATE too); never renames a code, never deletes.
GRANT SELECT, INSERT ON catalogue_revisions TO tonghop_server;
GRANT SELECT, INSERT ON indicators TO tonghop_server;
GRANT UPDATE (name, kind, numerator_label, denominator_label, numerator_agg, denominator_agg, programme, description)
    ON indicators TO tonghop_server;

-- Each unit's values for each period (012, 35_unit_values.sql): derived
-- data, not history. Reports read them; storing a submission rewrites the
-- rows it changes (the trigger on current_results, in serve's transaction),
-- by delete and insert where a unit's senders changed.
GRANT SELECT, INSERT, UPDATE, DELETE ON unit_period_values TO tonghop_server;

-- Review candidates (015, 48_review.sql): derived data like the above;
-- storing results rewrites the unit's rows (the trigger on current_results).
GRANT SELECT, INSERT, DELETE ON review_candidates TO tonghop_server;

-- Approvals (014, 47_approval.sql): serve records an approval or a
-- reopening (the row's state changes; every transition is appended to
-- approval_events, never changed) and the locks an approval sets, removed
-- when it is reopened. th_results_hold lets an approval wait for the
-- results being stored.
GRANT SELECT, INSERT, UPDATE ON approvals TO tonghop_server;
GRANT SELECT, INSERT ON approval_events TO tonghop_server;
GRANT SELECT, INSERT, DELETE ON period_locks TO tonghop_server;
DO $$
BEGIN
    EXECUTE format('GRANT USAGE ON SEQUENCE %s TO tonghop_server', pg_get_serial_sequence('public.approvals', 'id'));
    EXECUTE format('GRANT USAGE ON SEQUENCE %s TO tonghop_server',
                   pg_get_serial_sequence('public.approval_events', 'id'));
END
$$;
REVOKE ALL ON FUNCTION th_results_hold() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION th_results_hold() TO tonghop_server;

-- Fresh statistics after a burst (27_statistics.sql, stats_refresh.c).
REVOKE ALL ON FUNCTION th_refresh_statistics() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION th_refresh_statistics() TO tonghop_server;

-- How far the deadline announcements have got (017_notify_scans.sql,
-- notify.c): one row, moved on by the server that announces each window.
GRANT SELECT, INSERT, UPDATE ON notify_scans TO tonghop_server;

-- The audit log (009_audit.sql, audit.c): serve appends, and only appends;
-- reading it is the officers' (tonghopd audit, as the owner).
GRANT INSERT ON audit_log TO tonghop_server;
DO $$
BEGIN
    EXECUTE format('GRANT USAGE ON SEQUENCE %s TO tonghop_server', pg_get_serial_sequence('public.audit_log', 'id'));
END
$$;
