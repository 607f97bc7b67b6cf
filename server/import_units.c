/* import_units.c -- the GSO unit list into the units table. */
#include "import_units.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "db.h"
#include "i18n.h"
#include "plan_file.h"
#include "sqlerr.h"
#include "validate.h"

static const char *const columns[] = {"code", "name", "name_with_type", "type", "parent_code", "level"};
#define NCOLS 6

/* Appends s to the COPY text-format line, escaping what COPY treats as
 * special. */
static size_t copy_escape(char *out, size_t pos, size_t cap, const char *s)
{
    for (; *s && pos + 3 < cap; s++) {
        switch (*s) {
        case '\\':
            out[pos++] = '\\';
            out[pos++] = '\\';
            break;
        case '\t':
            out[pos++] = '\\';
            out[pos++] = 't';
            break;
        case '\n':
            out[pos++] = '\\';
            out[pos++] = 'n';
            break;
        case '\r':
            out[pos++] = '\\';
            out[pos++] = 'r';
            break;
        default: out[pos++] = *s;
        }
    }
    return pos;
}

/* Checks one data row; returns 0 or -1 with err set. */
static int check_row(char **f, int line, char *err, size_t errlen)
{
    if (!th_validate_code(f[0])) {
        snprintf(err, errlen, _("line %d, field %s: not a valid unit code: \"%s\""), line, "code", f[0]);
        return -1;
    }
    for (int i = 1; i <= 3; i++) {
        if (!f[i][0] || !th_validate_utf8(f[i])) {
            snprintf(err, errlen, _("line %d, field %s: empty or not UTF-8"), line, columns[i]);
            return -1;
        }
    }
    if (f[4][0] && !th_validate_code(f[4])) {
        snprintf(err, errlen, _("line %d, field %s: not a valid unit code: \"%s\""), line, "parent_code",
                 f[4]);
        return -1;
    }
    char *end;
    long level = strtol(f[5], &end, 10);
    if (!f[5][0] || *end || level < 1 || level > 9) {
        snprintf(err, errlen, _("line %d, field %s: must be a whole number from 1 to 9"), line, "level");
        return -1;
    }
    if ((level == 1) != (f[4][0] == '\0')) {
        snprintf(err, errlen, _("line %d, field %s: a unit has a parent unless it is at level 1"), line,
                 "parent_code");
        return -1;
    }
    return 0;
}

/* The latest date the tree changed on (1900-01-01 when never). History is
 * recorded in order: an import may not take effect before it, or links
 * would overlap and a unit would count under two parents. */
static const char SQL_LAST_CHANGE[] =
    "SELECT coalesce(max(d), DATE '1900-01-01')::text FROM ("
    " SELECT valid_from AS d FROM unit_parents UNION ALL SELECT valid_to FROM unit_parents"
    " UNION ALL SELECT valid_from FROM units UNION ALL SELECT valid_to FROM units) x";

/* Everything else happens in th_units_apply (migrations/rules/15_units_import.sql). */
static const char SQL_APPLY[] =
    "SELECT added, changed, moved, closed, succeeded, approvals_followed, locks_added, locks_removed"
    " FROM th_units_apply($1::date, $2::boolean)";

static const char *const succession_columns[] = {"old_code", "new_code", "valid_from", "kind"};
#define NSUCC 4

/* Copies the succession file into th_succession_stage. Returns 0 or -1. */
static int stage_succession(PGconn *conn, const char *path, long *rows, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    th_csv csv;
    th_csv_init(&csv, f);
    int rc = -1, in_copy = 0, r = th_csv_next(&csv);
    if (r != 1 || csv.nfields != NSUCC) goto bad_header;
    for (int i = 0; i < NSUCC; i++)
        if (strcmp(csv.fields[i], succession_columns[i]) != 0) goto bad_header;
    PGresult *copy = PQexec(conn, "COPY th_succession_stage FROM STDIN");
    int copying = PQresultStatus(copy) == PGRES_COPY_IN;
    if (!copying) snprintf(err, errlen, "%s", PQresultErrorMessage(copy));
    PQclear(copy);
    if (!copying) goto out;
    in_copy = 1;
    while ((r = th_csv_next(&csv)) == 1) {
        if (csv.nfields != NSUCC) {
            snprintf(err, errlen, _("%s: line %d: expected %d fields, found %d"), path, csv.line, NSUCC,
                     csv.nfields);
            goto out;
        }
        if (!th_validate_code(csv.fields[0]) || !th_validate_code(csv.fields[1])) {
            snprintf(err, errlen, _("%s: line %d: not a valid unit code"), path, csv.line);
            goto out;
        }
        if (!th_plan_valid_date(csv.fields[2])) {
            snprintf(err, errlen, _("%s: line %d, field %s: not a date YYYY-MM-DD"), path, csv.line,
                     "valid_from");
            goto out;
        }
        char line[256];
        int n = snprintf(line, sizeof line, "%s\t%s\t%s\t%d\n", csv.fields[0], csv.fields[1], csv.fields[2],
                         csv.line);
        if (n < 0 || (size_t)n >= sizeof line || PQputCopyData(conn, line, n) != 1) {
            snprintf(err, errlen, "%s", PQerrorMessage(conn));
            goto out;
        }
        (*rows)++;
    }
    if (r < 0) {
        snprintf(err, errlen, _("%s: line %d: malformed CSV record"), path, csv.line);
        goto out;
    }
    in_copy = 0;
    if (PQputCopyEnd(conn, NULL) != 1) {
        snprintf(err, errlen, "%s", PQerrorMessage(conn));
        goto out;
    }
    PGresult *res = PQgetResult(conn);
    int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok) snprintf(err, errlen, "%s", PQresultErrorMessage(res));
    PQclear(res);
    while ((res = PQgetResult(conn)))
        PQclear(res);
    rc = ok ? 0 : -1;
    goto out;
bad_header:
    snprintf(err, errlen, _("%s: line 1: the header must be: old_code,new_code,valid_from,kind"), path);
out:
    if (in_copy) {
        PQputCopyEnd(conn, "aborted");
        PGresult *pending;
        while ((pending = PQgetResult(conn)))
            PQclear(pending);
    }
    fclose(f);
    return rc;
}

int th_import_units(PGconn *conn, const char *path, const th_import_units_opts *opts,
                    th_import_units_stats *stats, char *err, size_t errlen)
{
    const char *as_of = opts && opts->as_of ? opts->as_of : "1900-01-01";
    memset(stats, 0, sizeof *stats);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    th_csv csv;
    th_csv_init(&csv, f);
    int rc = -1, in_tx = 0, in_copy = 0;

    int r = th_csv_next(&csv);
    if (r != 1 || csv.nfields != NCOLS) goto bad_header;
    for (int i = 0; i < NCOLS; i++)
        if (strcmp(csv.fields[i], columns[i]) != 0) goto bad_header;

    if (th_pg_exec(conn, "BEGIN", err, errlen) != 0) goto out;
    in_tx = 1;
    if (th_pg_exec(conn,
                   "CREATE TEMP TABLE th_units_stage (code text, name text, name_with_type text, type text,"
                   " parent_code text, level smallint, line integer) ON COMMIT DROP;"
                   "CREATE TEMP TABLE th_succession_stage (old_code text, new_code text, valid_from date,"
                   " line integer) ON COMMIT DROP",
                   err, errlen) != 0)
        goto out;
    PGresult *copy = PQexec(conn, "COPY th_units_stage FROM STDIN");
    int copying = PQresultStatus(copy) == PGRES_COPY_IN;
    if (!copying) snprintf(err, errlen, "%s", PQresultErrorMessage(copy));
    PQclear(copy);
    if (!copying) goto out;
    in_copy = 1;
    while ((r = th_csv_next(&csv)) == 1) {
        if (csv.nfields != NCOLS) {
            snprintf(err, errlen, _("line %d: expected %d fields, found %d"), csv.line, NCOLS, csv.nfields);
            goto out;
        }
        if (check_row(csv.fields, csv.line, err, errlen) != 0) goto out;
        char line[TH_CSV_MAX_RECORD * 2 + 64];
        size_t pos = 0;
        for (int i = 0; i < NCOLS; i++) {
            if (i == 4 && !csv.fields[4][0]) {
                memcpy(line + pos, "\\N", 2);
                pos += 2;
            } else {
                pos = copy_escape(line, pos, sizeof line, csv.fields[i]);
            }
            line[pos++] = '\t';
        }
        pos += (size_t)snprintf(line + pos, sizeof line - pos, "%d\n", csv.line);
        if (PQputCopyData(conn, line, (int)pos) != 1) {
            snprintf(err, errlen, "%s", PQerrorMessage(conn));
            goto out;
        }
        stats->rows++;
    }
    if (r < 0) {
        snprintf(err, errlen, _("line %d: malformed CSV record"), csv.line);
        goto out;
    }
    in_copy = 0;
    if (PQputCopyEnd(conn, NULL) != 1) {
        snprintf(err, errlen, "%s", PQerrorMessage(conn));
        goto out;
    }
    PGresult *res = PQgetResult(conn);
    int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok) snprintf(err, errlen, "%s", PQresultErrorMessage(res));
    PQclear(res);
    while ((res = PQgetResult(conn)))
        PQclear(res);
    if (!ok) goto out;

    /* Codes repeated in the file, and parents that exist nowhere. (The
     * repeated codes found by hashing: a window over the codes sorted the
     * whole list by code.) */
    res = PQexec(conn, "SELECT 'dup', line, code FROM th_units_stage WHERE code IN"
                       "   (SELECT code FROM th_units_stage GROUP BY code HAVING count(*) > 1)"
                       " UNION ALL "
                       "SELECT 'parent', s.line, s.parent_code FROM th_units_stage s"
                       " WHERE s.parent_code IS NOT NULL"
                       "   AND NOT EXISTS (SELECT 1 FROM th_units_stage p WHERE p.code = s.parent_code)"
                       "   AND NOT EXISTS (SELECT 1 FROM units u WHERE u.gso_code = s.parent_code)"
                       " ORDER BY 2 LIMIT 1");
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        snprintf(err, errlen, "%s", PQresultErrorMessage(res));
        PQclear(res);
        goto out;
    }
    if (PQntuples(res) == 1) {
        if (strcmp(PQgetvalue(res, 0, 0), "dup") == 0)
            snprintf(err, errlen, _("line %s, field %s: the code %s appears more than once"),
                     PQgetvalue(res, 0, 1), "code", PQgetvalue(res, 0, 2));
        else
            snprintf(err, errlen, _("line %s, field %s: no unit has the code %s"), PQgetvalue(res, 0, 1),
                     "parent_code", PQgetvalue(res, 0, 2));
        PQclear(res);
        goto out;
    }
    PQclear(res);

    res = PQexec(conn, SQL_LAST_CHANGE);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        snprintf(err, errlen, "%s", PQresultErrorMessage(res));
        PQclear(res);
        goto out;
    }
    if (strcmp(as_of, PQgetvalue(res, 0, 0)) < 0) {
        snprintf(err, errlen, _("the units already changed on %s; give --as-of that date or later"),
                 PQgetvalue(res, 0, 0));
        PQclear(res);
        goto out;
    }
    PQclear(res);
    if (opts && opts->succession &&
        stage_succession(conn, opts->succession, &stats->succession_rows, err, errlen) != 0)
        goto out;
    const char *params[] = {as_of, opts && opts->complete ? "true" : "false"};
    res = PQexecParams(conn, SQL_APPLY, 2, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        th_verr verr;
        if (th_sqlerr_from_result(res, &verr))
            snprintf(err, errlen, _("field %s: %s"), verr.field, verr.detail);
        else
            snprintf(err, errlen, "%s", PQresultErrorMessage(res));
        PQclear(res);
        goto out;
    }
    stats->added = atol(PQgetvalue(res, 0, 0));
    stats->changed = atol(PQgetvalue(res, 0, 1));
    stats->moved = atol(PQgetvalue(res, 0, 2));
    stats->closed = atol(PQgetvalue(res, 0, 3));
    stats->succeeded = atol(PQgetvalue(res, 0, 4));
    stats->approvals_followed = atol(PQgetvalue(res, 0, 5));
    stats->locks_added = atol(PQgetvalue(res, 0, 6));
    stats->locks_removed = atol(PQgetvalue(res, 0, 7));
    PQclear(res);
    if (th_pg_exec(conn, "COMMIT", err, errlen) != 0) goto out;
    in_tx = 0;
    rc = 0;
    goto out;

bad_header:
    snprintf(err, errlen, _("line 1: the header must be: code,name,name_with_type,type,parent_code,level"));
out:
    if (in_copy) {
        PQputCopyEnd(conn, "aborted");
        PGresult *pending;
        while ((pending = PQgetResult(conn)))
            PQclear(pending);
    }
    if (in_tx) PQclear(PQexec(conn, "ROLLBACK"));
    fclose(f);
    return rc;
}
