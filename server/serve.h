/* serve.h -- the request loop: a ROUTER socket in front of PostgreSQL.
 *
 * Every request gets exactly one reply. Requests that arrive together are
 * handled as one batch (see ingest.h); acks go out only after COMMIT. On
 * SIGTERM or SIGINT the loop answers everything it has already received,
 * then returns. */
#ifndef TH_SERVE_H
#define TH_SERVE_H

#include <stddef.h>

typedef struct th_serve_config {
    const char *dsn;           /* libpq connection string */
    const char *bind;          /* e.g. "tcp://0.0.0.0:5570", or "tcp://127.0.0.1:*" */
    const char *endpoint_file; /* if set, the bound endpoint is written here once ready */
    int batch_max;             /* most requests per transaction */
    int db_timeout_ms;         /* longest a statement may take (0: TH_DB_TIMEOUT_MS) */
} th_serve_config;

typedef struct th_server th_server;

/* Connects to the database, checks the schema version and binds. Returns
 * NULL with a message in err on failure. */
th_server *th_server_new(const th_serve_config *cfg, char *err, size_t errlen);

/* Serves until th_server_stop is called (from a signal handler too). Returns
 * 0 on a clean stop. */
int th_server_run(th_server *srv);

/* Async-signal-safe. */
void th_server_stop(void);

void th_server_destroy(th_server **srv);

#endif
