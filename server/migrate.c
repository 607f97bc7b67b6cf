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

static const char SQL_RULES_TABLE[] = "CREATE TABLE IF NOT EXISTS schema_rules ("
                                      " name text PRIMARY KEY, sha256 text NOT NULL,"
                                      " applied_at timestamptz NOT NULL DEFAULT now())";

/* The recorded checksum of a rule file, or "" when never applied. */
static int recorded_sha(PGconn *conn, const char *name, char *sha, size_t len, char *err, size_t errlen)
{
    const char *params[] = {name};
    PGresult *r =
        PQexecParams(conn, "SELECT sha256 FROM schema_rules WHERE name = $1", 1, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        snprintf(err, errlen, "%s", PQresultErrorMessage(r));
        PQclear(r);
        return -1;
    }
    snprintf(sha, len, "%s", PQntuples(r) ? PQgetvalue(r, 0, 0) : "");
    PQclear(r);
    return 0;
}

int th_migrate_rules_current(PGconn *conn, int *current, char *err, size_t errlen)
{
    *current = 0;
    PGresult *r = PQexec(conn, "SELECT to_regclass('public.schema_rules') IS NOT NULL");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        snprintf(err, errlen, "%s", PQresultErrorMessage(r));
        PQclear(r);
        return -1;
    }
    int exists = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    PQclear(r);
    if (!exists) return 0;
    for (int i = 0; i < th_rules_count; i++) {
        char sha[80];
        if (recorded_sha(conn, th_rules[i].name, sha, sizeof sha, err, errlen) != 0) return -1;
        if (strcmp(sha, th_rules[i].sha256) != 0) return 0;
    }
    *current = 1;
    return 0;
}

/* Applies the rule files whose content changed, all in one transaction: the
 * rules are replaced together or not at all. */
static int apply_rules(PGconn *conn, int *applied, char *err, size_t errlen)
{
    if (th_pg_exec(conn, SQL_RULES_TABLE, err, errlen) != 0) return -1;
    if (th_pg_exec(conn, "BEGIN", err, errlen) != 0) return -1;
    for (int i = 0; i < th_rules_count; i++) {
        const th_rule *rule = &th_rules[i];
        char sha[80], msg[1024];
        if (recorded_sha(conn, rule->name, sha, sizeof sha, err, errlen) != 0) goto fail;
        if (strcmp(sha, rule->sha256) == 0) continue;
        if (th_pg_exec(conn, rule->sql, msg, sizeof msg) != 0) {
            snprintf(err, errlen, _("rules %s failed: %s"), rule->name, msg);
            goto fail;
        }
        const char *params[] = {rule->name, rule->sha256};
        PGresult *r =
            PQexecParams(conn,
                         "INSERT INTO schema_rules (name, sha256) VALUES ($1, $2)"
                         " ON CONFLICT (name) DO UPDATE SET sha256 = EXCLUDED.sha256, applied_at = now()",
                         2, NULL, params, NULL, NULL, 0);
        int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        if (!ok) snprintf(err, errlen, "%s", PQresultErrorMessage(r));
        PQclear(r);
        if (!ok) goto fail;
        th_info(_("applied rules %s"), rule->name);
        (*applied)++;
    }
    if (th_pg_exec(conn, "COMMIT", err, errlen) != 0) goto fail;
    return 0;
fail:
    PQclear(PQexec(conn, "ROLLBACK"));
    *applied = 0;
    return -1;
}

int th_migrate_run(PGconn *conn, int target, th_migrate_stats *stats, char *err, size_t errlen)
{
    memset(stats, 0, sizeof *stats);
    if (target == 0) target = th_migrate_latest();
    if (target < 0 || target > th_migrate_latest()) {
        snprintf(err, errlen, _("no schema version %d: this program knows versions 1 to %d"), target,
                 th_migrate_latest());
        return -1;
    }
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
        if (m->version <= current || m->version > target) continue;
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
        stats->applied++;
    }
    /* The rules belong to the latest schema only. */
    if (target == th_migrate_latest() && apply_rules(conn, &stats->rules_applied, err, errlen) != 0) goto out;
    rc = 0;
out:;
    char ignored[256];
    th_pg_exec(conn, "SELECT pg_advisory_unlock(" TH_MIGRATE_LOCK ")", ignored, sizeof ignored);
    return rc;
}

int th_migrate_check(const char *dsn, int timeout_ms, int *version, char *err, size_t errlen)
{
    char merr[512];
    PGconn *conn = th_db_connect_within(dsn, timeout_ms, merr, sizeof merr);
    if (!conn) {
        snprintf(err, errlen, _("cannot connect to the database: %s"), merr);
        return -1;
    }
    int rc = th_migrate_current(conn, version, merr, sizeof merr);
    int rules_ok = 0;
    if (rc == 0 && *version == th_migrate_latest())
        rc = th_migrate_rules_current(conn, &rules_ok, merr, sizeof merr);
    PQfinish(conn);
    if (rc != 0) {
        snprintf(err, errlen, "%s", merr);
        return -1;
    }
    if (*version != th_migrate_latest()) {
        snprintf(err, errlen,
                 _("the database schema is at version %d but this server needs version %d; run: tonghopd "
                   "migrate --db ..."),
                 *version, th_migrate_latest());
        return -1;
    }
    if (!rules_ok) {
        snprintf(
            err, errlen, "%s",
            _("the database's rules (SQL functions and views) are not those of this server; run: tonghopd "
              "migrate --db ..."));
        return -1;
    }
    return 0;
}
