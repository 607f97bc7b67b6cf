/* migrate.c -- applying the embedded migrations. */
#include "migrate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "i18n.h"
#include "log.h"

/* pg_advisory_lock key: "tonghop" in ASCII, so that no other application's
 * lock collides by accident. */
#define TH_MIGRATE_LOCK "7579320540606576"

int th_migrate_latest(void)
{
    int v = 0;
    for (int i = 0; i < th_migrations_count; i++)
        if (th_migrations[i].version > v) v = th_migrations[i].version;
    return v;
}

int th_migrate_current(PGconn *conn, int *version, char *err, size_t errlen)
{
    PGresult *r = PQexec(conn, "SELECT to_regclass('public.schema_migrations') IS NOT NULL");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        snprintf(err, errlen, "%s", PQresultErrorMessage(r));
        PQclear(r);
        return -1;
    }
    int exists = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    PQclear(r);
    *version = 0;
    if (!exists) return 0;
    r = PQexec(conn, "SELECT coalesce(max(version), 0) FROM schema_migrations");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        snprintf(err, errlen, "%s", PQresultErrorMessage(r));
        PQclear(r);
        return -1;
    }
    *version = atoi(PQgetvalue(r, 0, 0));
    PQclear(r);
    return 0;
}

int th_migrate_run(PGconn *conn, int *applied, char *err, size_t errlen)
{
    *applied = 0;
    if (th_pg_exec(conn, "SELECT pg_advisory_lock(" TH_MIGRATE_LOCK ")", err, errlen) != 0) return -1;
    int rc = -1;
    if (th_pg_exec(conn,
                   "CREATE TABLE IF NOT EXISTS schema_migrations ("
                   " version integer PRIMARY KEY, name text NOT NULL,"
                   " applied_at timestamptz NOT NULL DEFAULT now())",
                   err, errlen) != 0)
        goto out;
    int current;
    if (th_migrate_current(conn, &current, err, errlen) != 0) goto out;
    if (current > th_migrate_latest()) {
        snprintf(err, errlen, _("the database schema (version %d) is newer than this program (version %d)"),
                 current, th_migrate_latest());
        goto out;
    }
    for (int i = 0; i < th_migrations_count; i++) {
        const th_migration *m = &th_migrations[i];
        if (m->version <= current) continue;
        if (th_pg_exec(conn, "BEGIN", err, errlen) != 0) goto out;
        char msg[1024];
        if (th_pg_exec(conn, m->sql, msg, sizeof msg) != 0) {
            snprintf(err, errlen, _("migration %s failed: %s"), m->name, msg);
            PQclear(PQexec(conn, "ROLLBACK"));
            goto out;
        }
        char vbuf[16];
        snprintf(vbuf, sizeof vbuf, "%d", m->version);
        const char *params[] = {vbuf, m->name};
        PGresult *r = PQexecParams(conn, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", 2,
                                   NULL, params, NULL, NULL, 0);
        int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        if (!ok) snprintf(err, errlen, "%s", PQresultErrorMessage(r));
        PQclear(r);
        if (!ok || th_pg_exec(conn, "COMMIT", err, errlen) != 0) {
            PQclear(PQexec(conn, "ROLLBACK"));
            goto out;
        }
        th_info(_("applied migration %s"), m->name);
        (*applied)++;
    }
    rc = 0;
out:;
    char ignored[256];
    th_pg_exec(conn, "SELECT pg_advisory_unlock(" TH_MIGRATE_LOCK ")", ignored, sizeof ignored);
    return rc;
}
