/* audit_show.c -- `tonghopd audit` (audit_show.h). */
#include "audit_show.h"

#include <stdlib.h>
#include <string.h>

#include "i18n.h"

static const char SQL_AUDIT[] =
    "SELECT to_char(at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'DD/MM/YYYY HH24:MI:SS'),"
    "       coalesce(unit_code, '-'), coalesce(role, '-'), request, coalesce(target, '-'), outcome,"
    "       coalesce(field, ''), coalesce(detail, ''), coalesce(peer, ''),"
    "       CASE WHEN public_key = '' THEN '(--insecure)' ELSE left(public_key, 10) || '…' END"
    "  FROM (SELECT * FROM audit_log"
    "         WHERE ($1::text IS NULL OR unit_code = $1 OR unit_code = th_unit_key($1, current_date))"
    "           AND ($2::date IS NULL OR at >= ($2::date::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh'))"
    "           AND (NOT $4::boolean OR outcome NOT IN ('STORED', 'DUPLICATE', 'ACCEPTED', 'OK'))"
    "         ORDER BY id DESC LIMIT $3::bigint) a"
    " ORDER BY id";

int th_audit_show(th_db *db, const char *unit, const char *since, long limit, int refused_only, FILE *out,
                  char *err, size_t errlen)
{
    char lim[24];
    snprintf(lim, sizeof lim, "%ld", limit > 0 ? limit : 100);
    const char *p[] = {unit, since, lim, refused_only ? "true" : "false"};
    PGresult *r = th_db_exec_params(db, SQL_AUDIT, 4, p, NULL, NULL);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        snprintf(err, errlen, "%s", th_db_error(db));
        PQclear(r);
        return -1;
    }
    /* TRANSLATORS: column headings of `tonghopd audit`. */
    fprintf(out, "%-19s  %-8s %-9s %-18s %-14s %-12s %-12s %s\n", _("time (UTC+7)"), _("unit"), _("role"),
            _("request"), _("about"), _("outcome"), _("key"), _("from / why"));
    for (int i = 0; i < PQntuples(r); i++) {
        const char *field = PQgetvalue(r, i, 6), *detail = PQgetvalue(r, i, 7);
        fprintf(out, "%-19s  %-8s %-9s %-18s %-14s %-12s %-12s %s", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
                PQgetvalue(r, i, 2), PQgetvalue(r, i, 3), PQgetvalue(r, i, 4), PQgetvalue(r, i, 5),
                PQgetvalue(r, i, 9), PQgetvalue(r, i, 8));
        if (*field || *detail) fprintf(out, "  %s%s%s", field, *field && *detail ? ": " : "", detail);
        fputc('\n', out);
    }
    if (PQntuples(r) == 0) fprintf(out, "%s\n", _("(nothing recorded)"));
    PQclear(r);
    return 0;
}
