/* serve.h -- the server: a ROUTER socket in front of PostgreSQL.
 *
 * Every request gets exactly one reply, within --db-timeout whatever the
 * database does. Submissions are stored in group commit (ingest.h) by
 * ingest workers side by side, each on its own connection and for its own
 * share of the units; reports, plans and history run on a pool of others (lane.h),
 * so they never hold up an ack. Acks go out only after COMMIT. On SIGTERM
 * or SIGINT the server answers everything it has already received, then
 * returns; on SIGHUP (th_server_reload) it calls the configuration's
 * on_reload between requests. */
#ifndef TH_SERVE_H
#define TH_SERVE_H

#include <stddef.h>

#include "keyfile.h"

typedef struct th_server th_server;

typedef struct th_serve_config {
    const char *dsn; /* libpq connection string: the primary (everything that writes) */
    /* Where the REPORT lane reads (handler.h): reports, plans, history, what
     * is due; e.g. a hot standby's DSN with target_session_attrs=prefer-standby.
     * NULL or equal to dsn: the READ lane serves them, on dsn, as before. */
    const char *read_dsn;
    const char *bind;            /* e.g. "tcp://0.0.0.0:5570", or "tcp://127.0.0.1:*" */
    const char *endpoint_file;   /* if set, the bound endpoint is written here once ready */
    int batch_max;               /* most requests per transaction */
    int db_timeout_ms;           /* longest a request may wait for the database (0: TH_DB_TIMEOUT_MS) */
    int read_workers;            /* threads (and connections) for everything but submissions (0: 2) */
    int ingest_workers;          /* threads (and connections) that store submissions (0: 2) */
    const char *secret_key_file; /* the server's CURVE key pair (keyfile.h); required unless insecure */
    const th_keypair *keypair;   /* or the pair itself (from TONGHOP_SECRET_KEY), instead of the file */
    int insecure;                /* plain text, loopback only (tests, a first try) */
    int max_open_per_client;     /* most requests one connection may have open (0: 256) */
    const char *test_clock;      /* FOR TESTS ONLY: a file holding "now" (lane.h); NULL: the real clock */
    const char *notify_bind; /* the notification socket (notify.h), e.g. "tcp://0.0.0.0:5571"; NULL: none */
    const char *notify_endpoint_file; /* if set, its bound endpoint is written here */
    const char *metrics_bind;         /* "HOST:PORT" for GET /metrics (metrics_http.h); NULL: none */
    /* Called on the front thread after th_server_reload (SIGHUP), between
     * requests; NULL: a reload only says there is nothing to re-read. */
    void (*on_reload)(th_server *srv, void *arg);
    void *reload_arg;
} th_serve_config;

/* Connects to the database, checks the schema version and binds. Returns
 * NULL with a message in err on failure. */
th_server *th_server_new(const th_serve_config *cfg, char *err, size_t errlen);

/* Serves until th_server_stop is called (from a signal handler too). Returns
 * 0 on a clean stop. */
int th_server_run(th_server *srv);

/* True for an endpoint only this machine reaches (loopback, ipc). */
int th_serve_loopback_only(const char *bind);

/* Async-signal-safe. */
void th_server_stop(void);

/* Asks the running server to call its on_reload (SIGHUP). Async-signal-safe. */
void th_server_reload(void);

/* From on_reload: the most requests one connection may have open from now
 * on (1-4096); new connections also get reply queues of that size. */
void th_server_set_max_open_per_client(th_server *srv, int n);

void th_server_destroy(th_server **srv);

#endif
