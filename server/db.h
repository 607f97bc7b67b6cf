/* db.h -- the server's PostgreSQL connection: connect, notice loss, reconnect.
 *
 * One connection per th_db, used by one thread at a time (each worker
 * thread of the server has its own). After a loss,
 * th_db_ensure reconnects (at most once a second, so that a flood of
 * requests during an outage does not become a flood of connection attempts)
 * and prepares the server's named statements again. */
#ifndef TH_DB_H
#define TH_DB_H

#include <libpq-fe.h>
#include <stddef.h>

typedef struct th_db th_db;

/* A named statement prepared on every (re)connection. */
typedef struct th_db_stmt {
    const char *name;
    const char *sql;
    int nparams;
} th_db_stmt;

/* One plain connection with the project's defaults (UTF-8, application name
 * "tonghopd", no NOTICEs), made within timeout_ms (a database that accepts
 * the connection but never answers costs no more). Returns NULL with the
 * reason in err. th_db_connect uses TH_DB_TIMEOUT_MS. */
PGconn *th_db_connect_within(const char *dsn, int timeout_ms, char *err, size_t errlen);
PGconn *th_db_connect(const char *dsn, char *err, size_t errlen);

/* Runs a command on a plain connection; returns 0, or -1 with the server's
 * message in err. */
int th_pg_exec(PGconn *conn, const char *sql, char *err, size_t errlen);

/* dsn is a libpq connection string or URI. stmts (may be NULL) must outlive
 * the th_db. Does not connect yet. */
th_db *th_db_new(const char *dsn, const th_db_stmt *stmts, size_t nstmts);
void th_db_destroy(th_db **db);

/* Returns the live connection, connecting if needed, or NULL with the reason
 * in th_db_error. */
PGconn *th_db_ensure(th_db *db);

/* Call after a failed command: if the connection is gone, forget it so the
 * next th_db_ensure reconnects. Returns 1 when the connection was lost. */
int th_db_check_lost(th_db *db);

const char *th_db_error(const th_db *db);

/* True when the live connection is to a hot standby (or a session that is
 * read-only by default): PostgreSQL 14 and later report in_hot_standby and
 * default_transaction_read_only to the client at connection and whenever
 * they change (a promotion), so this asks nothing of the server. Used to
 * keep writes (the statistics refresh) off a --read-db connection. */
int th_db_read_only(const th_db *db);

/* True when the last failed statement was cancelled by a hot standby to
 * replay the primary's changes (SQLSTATE 40001, "conflict with recovery")
 * or hit a deadlock (40P01): the same request may well succeed if asked
 * again, so it is "try later", not an internal error. */
int th_db_retryable(const th_db *db);

/* The same test of a SQLSTATE kept from an earlier statement. */
int th_db_state_retryable(const char *sqlstate);

/* The SQLSTATE of the last failed statement ("23505"), or "". */
const char *th_db_sqlstate(const th_db *db);

/* While idle: reads whatever the server sent (nothing, normally) so that a
 * connection it closed is noticed and dropped now. */
void th_db_poll(th_db *db);

/* How long one statement may take before the database is taken for gone
 * (a PostgreSQL that stopped answering must not hang the server): the
 * connection is dropped and the caller sees a lost connection. Default
 * TH_DB_TIMEOUT_MS. */
#define TH_DB_TIMEOUT_MS 10000
void th_db_set_timeout(th_db *db, int ms);

/* Runs a command that returns no rows (BEGIN, COMMIT...). Returns 0 or -1. */
int th_db_exec(th_db *db, const char *sql);

/* Runs a prepared statement, within the timeout. Returns its result (the
 * caller PQclears it), or NULL when the connection was lost or timed out. */
PGresult *th_db_exec_prepared(th_db *db, const char *name, int nparams, const char *const *values,
                              const int *lengths, const int *formats);

/* Runs a parameterised statement (text results) within the timeout. Returns
 * its result (the caller PQclears it; check its status), or NULL when the
 * connection was lost or timed out (th_db_check_lost then says 1). */
PGresult *th_db_exec_params(th_db *db, const char *sql, int nparams, const char *const *values,
                            const int *lengths, const int *formats);

#endif
