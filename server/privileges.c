/* privileges.c -- serve's rights against tonghop_server's. */
#include "privileges.h"

#include <stdio.h>
#include <string.h>

#include "db.h"
#include "i18n.h"

/* One row about the role serve logged in as (current_user):
 *   0 its name, 1 superuser, 2 may create roles or databases,
 *   3 the owners of the schema's tables it acts as (member of, or is),
 *   4 where it may create objects (DDL), 5 the privileges on the schema's
 *   tables and sequences that tonghop_server lacks, grouped by privilege:
 *   "DELETE (result_values, submissions); TRUNCATE (submissions)".
 * Measured against the group role rather than a list kept here, so that
 * 90_grants.sql stays the one place that says what serve needs. */
static const char SQL_EXCESS[] =
    "WITH rels AS ("
    "  SELECT c.oid, c.relname, c.relkind, c.relowner FROM pg_class c"
    "   WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')),"
    " extra AS ("
    "  SELECT p.priv, r.relname"
    "    FROM rels r, unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'REFERENCES']) p(priv)"
    "   WHERE r.relkind <> 'S' AND has_any_column_privilege(r.oid, p.priv)"
    "     AND NOT has_any_column_privilege('tonghop_server', r.oid, p.priv)"
    "  UNION ALL"
    "  SELECT p.priv, r.relname FROM rels r, unnest(ARRAY['DELETE', 'TRUNCATE', 'TRIGGER']) p(priv)"
    "   WHERE r.relkind <> 'S' AND has_table_privilege(r.oid, p.priv)"
    "     AND NOT has_table_privilege('tonghop_server', r.oid, p.priv)"
    "  UNION ALL"
    "  SELECT p.priv, r.relname FROM rels r, unnest(ARRAY['USAGE', 'SELECT', 'UPDATE']) p(priv)"
    "   WHERE r.relkind = 'S' AND has_sequence_privilege(r.oid, p.priv)"
    "     AND NOT has_sequence_privilege('tonghop_server', r.oid, p.priv))"
    " SELECT m.rolname, m.rolsuper, m.rolcreaterole OR m.rolcreatedb,"
    "  coalesce((SELECT string_agg(DISTINCT pg_get_userbyid(r.relowner), ', ') FROM rels r"
    "             WHERE pg_has_role(r.relowner, 'MEMBER')), ''),"
    "  concat_ws(', ', CASE WHEN has_schema_privilege('public', 'CREATE') THEN 'schema public' END,"
    "            CASE WHEN has_database_privilege(current_database(), 'CREATE')"
    "                 THEN format('database %I', current_database()) END),"
    "  coalesce((SELECT string_agg(x.priv || ' (' || x.rels || ')', '; ' ORDER BY x.priv)"
    "             FROM (SELECT priv, string_agg(relname, ', ' ORDER BY relname) AS rels"
    "                     FROM extra GROUP BY priv) x), '')"
    " FROM pg_roles m WHERE m.rolname = current_user";

/* Appends one finding, "; " between findings; cut, never overflowing. */
static void add(char *out, size_t outlen, const char *fmt, const char *arg)
{
    size_t used = strlen(out);
    if (used + 3 >= outlen) return;
    if (used) {
        memcpy(out + used, "; ", 3);
        used += 2;
    }
    snprintf(out + used, outlen - used, fmt, arg);
}

int th_privileges_excess(const char *dsn, int timeout_ms, char *out, size_t outlen)
{
    out[0] = '\0';
    th_db *db = th_db_new(dsn, NULL, 0);
    if (!db) {
        snprintf(out, outlen, "out of memory");
        return -1;
    }
    th_db_set_timeout(db, timeout_ms);
    PGresult *r = th_db_ensure(db) ? th_db_exec_params(db, SQL_EXCESS, 0, NULL, NULL, NULL) : NULL;
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        snprintf(out, outlen, "%s", th_db_error(db));
        PQclear(r);
        th_db_destroy(&db);
        return -1;
    }
    const char *role = PQgetvalue(r, 0, 0), *owner = PQgetvalue(r, 0, 3), *create = PQgetvalue(r, 0, 4),
               *extra = PQgetvalue(r, 0, 5);
    /* A superuser or an owner may do anything: the details would only
     * list every table. */
    if (!strcmp(PQgetvalue(r, 0, 1), "t")) {
        add(out, outlen, _("it is a superuser (%s)"), role);
    } else if (owner[0]) {
        add(out, outlen, _("it owns the tables (as %s)"), owner);
    } else {
        if (create[0]) add(out, outlen, _("it may create objects (CREATE on %s)"), create);
        if (!strcmp(PQgetvalue(r, 0, 2), "t")) add(out, outlen, "%s", _("it may create roles or databases"));
        if (extra[0]) add(out, outlen, _("rights tonghop_server does not have: %s"), extra);
    }
    PQclear(r);
    th_db_destroy(&db);
    return out[0] ? 1 : 0;
}
