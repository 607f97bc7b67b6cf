/* status_show.c -- `tonghopd status`. */
#include "status_show.h"

#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "i18n.h"
#include "migrate.h"

/* One query's single row, or NULL (r cleared then). */
static PGresult *one_row(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) >= 1) return r;
    PQclear(r);
    return NULL;
}

/* GET /metrics from HOST:PORT into a malloc'd buffer, or NULL (why in err). */
static char *fetch_metrics(const char *addr, char *err, size_t errlen)
{
    char host[128];
    const char *colon = strrchr(addr, ':');
    if (!colon || (size_t)(colon - addr) >= sizeof host) {
        snprintf(err, errlen, _("%s: HOST:PORT expected"), addr);
        return NULL;
    }
    memcpy(host, addr, (size_t)(colon - addr));
    host[colon - addr] = '\0';
    if (host[0] == '[') { /* [::1] */
        memmove(host, host + 1, strlen(host));
        host[strcspn(host, "]")] = '\0';
    }
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai;
    int rc = getaddrinfo(host, colon + 1, &hints, &ai);
    if (rc != 0) {
        snprintf(err, errlen, "%s: %s", addr, gai_strerror(rc));
        return NULL;
    }
    int fd = socket(ai->ai_family, ai->ai_socktype, 0);
    struct timeval tv = {.tv_sec = 3};
    if (fd >= 0) {
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    }
    if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        snprintf(err, errlen, _("%s: no answer (is the server running with --metrics-bind?)"), addr);
        if (fd >= 0) close(fd);
        freeaddrinfo(ai);
        return NULL;
    }
    freeaddrinfo(ai);
    static const char req[] = "GET /metrics HTTP/1.0\r\n\r\n";
    if (send(fd, req, sizeof req - 1, 0) < 0) {
        close(fd);
        snprintf(err, errlen, "%s: send failed", addr);
        return NULL;
    }
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (len + 1 == cap) {
            char *b = realloc(buf, cap * 2);
            if (!b) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = b;
            cap *= 2;
        }
        ssize_t n = recv(fd, buf + len, cap - 1 - len, 0);
        if (n <= 0) break;
        len += (size_t)n;
    }
    close(fd);
    if (!buf) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    buf[len] = '\0';
    if (strncmp(buf, "HTTP/1.0 200", 12) != 0) {
        snprintf(err, errlen, _("%s: unexpected answer"), addr);
        free(buf);
        return NULL;
    }
    return buf;
}

/* The sum of a metric's samples whose line contains filter (NULL: all). */
static double metric_sum(const char *text, const char *name, const char *filter)
{
    double sum = 0;
    size_t nl = strlen(name);
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        if (strncmp(p, name, nl) != 0 || (p[nl] != '{' && p[nl] != ' ')) continue;
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        char line[512];
        if (len >= sizeof line) continue;
        memcpy(line, p, len);
        line[len] = '\0';
        if (filter && !strstr(line, filter)) continue;
        const char *v = strrchr(line, ' ');
        if (v) sum += strtod(v + 1, NULL);
    }
    return sum;
}

int th_status_show(const char *dsn, const char *metrics, FILE *out)
{
    int bad = 0;
    char err[512];
    /* --- the server ---------------------------------------------------- */
    if (metrics) {
        char *m = fetch_metrics(metrics, err, sizeof err);
        if (!m) {
            fprintf(out, _("Server    PROBLEM  %s\n"), err);
            bad = 1;
        } else {
            double started = metric_sum(m, "tonghop_start_time_seconds", NULL);
            double up = difftime(time(NULL), (time_t)started);
            double all = metric_sum(m, "tonghop_requests_total", NULL);
            double failed = metric_sum(m, "tonghop_requests_total", "outcome=\"UNAVAILABLE\"") +
                            metric_sum(m, "tonghop_requests_total", "outcome=\"INTERNAL\"");
            double stored = metric_sum(m, "tonghop_requests_total", "outcome=\"STORED\"");
            double open = metric_sum(m, "tonghop_open_requests", NULL);
            fprintf(out,
                    _("Server    ok       up %.0f h %.0f min; %.0f request(s) answered, %.0f submission(s) "
                      "stored, %.0f failed (database unavailable or internal); %.0f open now\n"),
                    up / 3600 > 0 ? (double)((long)up / 3600) : 0, (double)(((long)up % 3600) / 60), all,
                    stored, failed, open);
            free(m);
        }
    } else {
        fprintf(out, "%s\n",
                _("Server    -        not asked (give --metrics HOST:PORT, the server's --metrics-bind)"));
    }
    /* --- the database -------------------------------------------------- */
    PGconn *c = th_db_connect_within(dsn, 5000, err, sizeof err);
    if (!c) {
        fprintf(out, _("Database  PROBLEM  cannot connect: %s\n"), err);
        return 1;
    }
    PGresult *r = one_row(c, "SELECT current_setting('server_version'), pg_is_in_recovery(),"
                             " (SELECT coalesce(max(version), 0) FROM schema_migrations),"
                             " pg_size_pretty(pg_database_size(current_database())), current_database()");
    if (!r) {
        fprintf(out, _("Database  PROBLEM  %s"), PQerrorMessage(c));
        PQfinish(c);
        return 1;
    }
    int standby = PQgetvalue(r, 0, 1)[0] == 't', schema = atoi(PQgetvalue(r, 0, 2));
    int latest = th_migrate_latest();
    fprintf(out, _("Database  %-8s PostgreSQL %s, database %s (%s), %s; schema version %d%s\n"),
            schema == latest ? "ok" : "PROBLEM", PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 4),
            PQgetvalue(r, 0, 3), standby ? _("a standby (read-only)") : _("the primary"), schema,
            schema == latest  ? _(" (up to date)")
            : schema < latest ? _(" (behind this program: run tonghopd migrate)")
                              : _(" (newer than this program)"));
    if (schema != latest) bad = 1;
    PQclear(r);
    /* --- replication ----------------------------------------------------- */
    if (standby) {
        r = one_row(
            c, "SELECT coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp())::bigint, -1),"
               " (SELECT status FROM pg_stat_wal_receiver LIMIT 1)");
        if (r) {
            long lag = atol(PQgetvalue(r, 0, 0));
            const char *st = PQgetisnull(r, 0, 1) ? "" : PQgetvalue(r, 0, 1);
            int ok = !strcmp(st, "streaming");
            fprintf(out,
                    _("Standby   %-8s this database is a standby: %s; last transaction replayed %ld s ago\n"),
                    ok ? "ok" : "PROBLEM", *st ? st : _("not receiving from a primary"), lag);
            if (!ok) bad = 1;
            PQclear(r);
        }
    } else {
        r = PQexec(c,
                   "SELECT coalesce(application_name, ''), coalesce(state, '?'), coalesce(sync_state, '?'),"
                   " coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint, -1)"
                   "  FROM pg_stat_replication ORDER BY 1");
        if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0) {
            for (int i = 0; i < PQntuples(r); i++) {
                int ok = !strcmp(PQgetvalue(r, i, 1), "streaming");
                fprintf(out, _("Standby   %-8s %s: %s, %s, %s bytes behind\n"), ok ? "ok" : "PROBLEM",
                        *PQgetvalue(r, i, 0) ? PQgetvalue(r, i, 0) : "?", PQgetvalue(r, i, 1),
                        PQgetvalue(r, i, 2), PQgetvalue(r, i, 3));
                if (!ok) bad = 1;
            }
        } else {
            fprintf(out, "%s\n",
                    _("Standby   -        none streaming from this database (no high availability)"));
        }
        PQclear(r);
    }
    /* --- keys and results ------------------------------------------------ */
    r = one_row(c, "SELECT (SELECT count(*) FROM client_keys WHERE revoked_at IS NULL),"
                   " (SELECT count(*) FROM client_keys WHERE revoked_at IS NOT NULL),"
                   " (SELECT coalesce(to_char(max(received_at) AT TIME ZONE 'Asia/Ho_Chi_Minh',"
                   "                          'DD/MM/YYYY HH24:MI'), '-') FROM submissions),"
                   " (SELECT count(*) FROM submissions)");
    if (r) {
        fprintf(out, _("Keys      ok       %s enrolled, %s revoked\n"), PQgetvalue(r, 0, 0),
                PQgetvalue(r, 0, 1));
        fprintf(out, _("Results   ok       %s submission(s); the last received %s (Vietnam time)\n"),
                PQgetvalue(r, 0, 3), PQgetvalue(r, 0, 2));
        PQclear(r);
    }
    PQfinish(c);
    fprintf(out, "%s\n", bad ? _("Something needs attention (PROBLEM above).") : _("All healthy."));
    return bad;
}
