/* db.c -- connection management. */
#include "db.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "i18n.h"
#include "log.h"

struct th_db {
    char *dsn;
    PGconn *conn;
    const th_db_stmt *stmts;
    size_t nstmts;
    struct timespec last_attempt;
    int ever_attempted;
    int lost; /* a connection was lost or refused since the last success */
    int timeout_ms;
    char sqlstate[6]; /* of the last failed statement, or "" */
    char error[512];
};

th_db *th_db_new(const char *dsn, const th_db_stmt *stmts, size_t nstmts)
{
    th_db *db = calloc(1, sizeof *db);
    if (!db) return NULL;
    db->dsn = strdup(dsn ? dsn : "");
    if (!db->dsn) {
        free(db);
        return NULL;
    }
    db->stmts = stmts;
    db->nstmts = nstmts;
    db->timeout_ms = TH_DB_TIMEOUT_MS;
    return db;
}

void th_db_destroy(th_db **db)
{
    if (!db || !*db) return;
    if ((*db)->conn) PQfinish((*db)->conn);
    free((*db)->dsn);
    free(*db);
    *db = NULL;
}

static double since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

const char *th_db_error(const th_db *db) { return db->error; }

int th_db_read_only(const th_db *db)
{
    if (!db->conn) return 0;
    const char *hs = PQparameterStatus(db->conn, "in_hot_standby");
    const char *ro = PQparameterStatus(db->conn, "default_transaction_read_only");
    return (hs && !strcmp(hs, "on")) || (ro && !strcmp(ro, "on"));
}

int th_db_state_retryable(const char *sqlstate)
{
    return !strcmp(sqlstate, "40001") || !strcmp(sqlstate, "40P01");
}

int th_db_retryable(const th_db *db) { return th_db_state_retryable(db->sqlstate); }

const char *th_db_sqlstate(const th_db *db) { return db->sqlstate; }

/* Remembers the SQLSTATE of a failed result (or forgets the last one). */
static void note_state(th_db *db, const PGresult *r)
{
    const char *st = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    snprintf(db->sqlstate, sizeof db->sqlstate, "%s", st ? st : "");
}

static void set_error(th_db *db, const char *what, const char *why)
{
    /* Bounded on purpose: a long message is cut, never overflows. */
    snprintf(db->error, sizeof db->error, "%.200s: %.300s", what, why ? why : "");
    /* libpq messages end with a newline; a log line should not. */
    size_t n = strlen(db->error);
    while (n && (db->error[n - 1] == '\n' || db->error[n - 1] == ' '))
        db->error[--n] = '\0';
}

static PGresult *await_result(th_db *db);

/* Sets the session up, then prepares the named statements, each within the
 * timeout. The session's statement_timeout is the timeout and a second:
 * when we give up on a statement and drop the connection, PostgreSQL stops
 * it a moment later, instead of running a report nobody waits for any more
 * for minutes. (A second later, so that we always give up first: a
 * statement PostgreSQL cancelled would read as a failed statement, not as
 * "the database did not answer in time".) */
static int prepare_all(th_db *db)
{
    char set[64];
    snprintf(set, sizeof set, "SET statement_timeout = %d", db->timeout_ms + 1000);
    if (!PQsendQuery(db->conn, set)) {
        set_error(db, "statement_timeout", PQerrorMessage(db->conn));
        return -1;
    }
    PGresult *st = await_result(db);
    if (!st) return -1;
    int st_ok = PQresultStatus(st) == PGRES_COMMAND_OK;
    if (!st_ok) set_error(db, "statement_timeout", PQresultErrorMessage(st));
    PQclear(st);
    if (!st_ok) return -1;
    for (size_t i = 0; i < db->nstmts; i++) {
        if (!PQsendPrepare(db->conn, db->stmts[i].name, db->stmts[i].sql, db->stmts[i].nparams, NULL)) {
            set_error(db, db->stmts[i].name, PQerrorMessage(db->conn));
            return -1;
        }
        PGresult *r = await_result(db);
        if (!r) return -1; /* timed out: the connection is already dropped */
        int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        if (!ok) set_error(db, db->stmts[i].name, PQresultErrorMessage(r));
        PQclear(r);
        if (!ok) return -1;
    }
    return 0;
}

int th_pg_exec(PGconn *conn, const char *sql, char *err, size_t errlen)
{
    PGresult *r = PQexec(conn, sql);
    ExecStatusType st = PQresultStatus(r);
    int ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok) snprintf(err, errlen, "%s", PQresultErrorMessage(r));
    PQclear(r);
    return ok ? 0 : -1;
}

/* Strips the trailing newline libpq puts on its messages. */
static void copy_trimmed(char *dst, size_t len, const char *src)
{
    snprintf(dst, len, "%s", src ? src : "");
    size_t n = strlen(dst);
    while (n && (dst[n - 1] == '\n' || dst[n - 1] == ' '))
        dst[--n] = '\0';
}

PGconn *th_db_connect_within(const char *dsn, int timeout_ms, char *err, size_t errlen)
{
    /* The DSN is expanded by libpq itself; we only add our defaults. Over
     * TCP, keepalives notice a database host that vanished; NOTICE chatter
     * ("relation already exists, skipping") is turned off in the startup
     * packet, so a connection costs no extra round trip. */
    const char *keys[] = {"dbname",           "application_name", "client_encoding",
                          "keepalives",       "keepalives_idle",  "keepalives_interval",
                          "keepalives_count", "options",          NULL};
    const char *vals[] = {dsn, "tonghopd", "UTF8", "1", "30", "10", "3", "-c client_min_messages=warning",
                          NULL};
    if (timeout_ms <= 0) timeout_ms = TH_DB_TIMEOUT_MS;
    /* Non-blocking, so that a PostgreSQL that accepts the connection but
     * never answers (frozen) costs at most timeout_ms, not libpq's own
     * connect_timeout, which cannot go below 2 s and counts per host. */
    PGconn *c = PQconnectStartParams(keys, vals, 1);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    PostgresPollingStatusType st = PGRES_POLLING_WRITING;
    while (PQstatus(c) != CONNECTION_BAD && st != PGRES_POLLING_OK && st != PGRES_POLLING_FAILED) {
        int left = timeout_ms - (int)(since(&start) * 1000);
        struct pollfd pfd = {PQsocket(c), st == PGRES_POLLING_READING ? POLLIN : POLLOUT, 0};
        int rc = left > 0 && pfd.fd >= 0 ? poll(&pfd, 1, left) : 0;
        if (rc == 0) {
            snprintf(err, errlen, _("no answer within %d ms"), timeout_ms);
            PQfinish(c);
            return NULL;
        }
        if (rc < 0) continue; /* EINTR */
        st = PQconnectPoll(c);
    }
    if (PQstatus(c) != CONNECTION_OK) {
        copy_trimmed(err, errlen, PQerrorMessage(c));
        PQfinish(c);
        return NULL;
    }
    return c;
}

PGconn *th_db_connect(const char *dsn, char *err, size_t errlen)
{
    return th_db_connect_within(dsn, TH_DB_TIMEOUT_MS, err, errlen);
}

PGconn *th_db_ensure(th_db *db)
{
    if (db->conn && PQstatus(db->conn) == CONNECTION_OK) return db->conn;
    if (db->conn) {
        PQfinish(db->conn);
        db->conn = NULL;
    }
    if (db->ever_attempted && since(&db->last_attempt) < 1.0) {
        if (!db->error[0]) set_error(db, _("database"), _("not connected"));
        return NULL;
    }
    db->ever_attempted = 1;
    clock_gettime(CLOCK_MONOTONIC, &db->last_attempt);

    char why[512];
    PGconn *c = th_db_connect_within(db->dsn, db->timeout_ms, why, sizeof why);
    if (!c) {
        set_error(db, _("cannot connect to the database"), why);
        if (!db->lost) th_warn("%s", db->error);
        db->lost = 1;
        return NULL;
    }
    db->conn = c;
    if (prepare_all(db) != 0) {
        if (db->conn) PQfinish(db->conn);
        db->conn = NULL;
        db->lost = 1;
        return NULL;
    }
    if (db->lost) th_info("%s", _("reconnected to the database"));
    db->lost = 0;
    db->error[0] = '\0';
    return db->conn;
}

void th_db_poll(th_db *db)
{
    if (!db->conn) return;
    if (!PQconsumeInput(db->conn) || PQstatus(db->conn) != CONNECTION_OK) {
        set_error(db, _("lost the database connection"), PQerrorMessage(db->conn));
        th_warn("%s", db->error);
        db->lost = 1;
        PQfinish(db->conn);
        db->conn = NULL;
        return;
    }
    /* A notice or notification while idle: drop it. */
    PGresult *r;
    while (!PQisBusy(db->conn) && (r = PQgetResult(db->conn)))
        PQclear(r);
}

int th_db_check_lost(th_db *db)
{
    if (db->conn && PQstatus(db->conn) != CONNECTION_OK) {
        set_error(db, _("lost the database connection"), PQerrorMessage(db->conn));
        th_warn("%s", db->error);
        db->lost = 1;
        PQfinish(db->conn);
        db->conn = NULL;
        return 1;
    }
    return db->conn == NULL;
}

void th_db_set_timeout(th_db *db, int ms) { db->timeout_ms = ms > 0 ? ms : TH_DB_TIMEOUT_MS; }

/* Collects the result of what was sent with PQsend*, waiting at most the
 * timeout. On timeout the connection is dropped (its state is unknown: a
 * COMMIT may or may not have happened, which is why the caller must answer
 * "try later", never "stored"). */
static PGresult *await_result(th_db *db)
{
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    PGresult *last = NULL;
    for (;;) {
        while (PQisBusy(db->conn)) {
            int left = db->timeout_ms - (int)(since(&start) * 1000);
            struct pollfd pfd = {PQsocket(db->conn), POLLIN, 0};
            int rc = left > 0 ? poll(&pfd, 1, left) : 0;
            if (rc == 0) {
                char why[64];
                snprintf(why, sizeof why, _("no answer within %d ms"), db->timeout_ms);
                set_error(db, _("the database stopped answering"), why);
                th_warn("%s", db->error);
                PQclear(last);
                PQfinish(db->conn);
                db->conn = NULL;
                db->lost = 1;
                return NULL;
            }
            if (rc < 0 && errno == EINTR) continue; /* a signal (SIGHUP): wait again for the time left */
            if (rc < 0 || !PQconsumeInput(db->conn)) break;
        }
        PGresult *r = PQgetResult(db->conn);
        if (!r) break;
        /* Keep the first error, else the last result. */
        if (last && PQresultStatus(last) == PGRES_FATAL_ERROR) {
            PQclear(r);
        } else {
            PQclear(last);
            last = r;
        }
    }
    return last;
}

PGresult *th_db_exec_prepared(th_db *db, const char *name, int nparams, const char *const *values,
                              const int *lengths, const int *formats)
{
    if (!db->conn) return NULL;
    if (!PQsendQueryPrepared(db->conn, name, nparams, values, lengths, formats, 0)) {
        set_error(db, name, PQerrorMessage(db->conn));
        return NULL;
    }
    PGresult *r = await_result(db);
    note_state(db, r);
    if (r && PQresultStatus(r) != PGRES_TUPLES_OK && PQresultStatus(r) != PGRES_COMMAND_OK)
        set_error(db, name, PQresultErrorMessage(r));
    return r;
}

PGresult *th_db_exec_params(th_db *db, const char *sql, int nparams, const char *const *values,
                            const int *lengths, const int *formats)
{
    if (!db->conn) return NULL;
    if (!PQsendQueryParams(db->conn, sql, nparams, NULL, values, lengths, formats, 0)) {
        set_error(db, "query", PQerrorMessage(db->conn));
        return NULL;
    }
    PGresult *r = await_result(db);
    note_state(db, r);
    if (r && PQresultStatus(r) != PGRES_TUPLES_OK && PQresultStatus(r) != PGRES_COMMAND_OK)
        set_error(db, "query", PQresultErrorMessage(r));
    return r;
}

int th_db_exec(th_db *db, const char *sql)
{
    if (!db->conn) return -1;
    if (!PQsendQuery(db->conn, sql)) {
        set_error(db, sql, PQerrorMessage(db->conn));
        return -1;
    }
    PGresult *r = await_result(db);
    note_state(db, r);
    ExecStatusType st = PQresultStatus(r);
    int ok = r && (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK);
    if (!ok && r) set_error(db, sql, PQresultErrorMessage(r));
    PQclear(r);
    return ok ? 0 : -1;
}
