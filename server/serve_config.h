/* serve_config.h -- tonghopd's configuration file (serve --config FILE).
 *
 * One "key = value" a line, '#' starts a comment, blank lines are ignored,
 * as in the client's files (client/config.c). The keys are the long options
 * of `tonghopd serve` with '_' for '-', plus log_format and lang; see
 * deploy/tonghopd.conf for each with its default. An unknown key, a key set
 * twice or a bad value is an error naming the file, the line and the key,
 * in the user's language. The command line and the environment win over
 * the file (main.c). */
#ifndef TH_SERVE_CONFIG_H
#define TH_SERVE_CONFIG_H

#include <stddef.h>
#include <stdio.h>

typedef enum {
    TH_SCFG_DB,
    TH_SCFG_BIND,
    TH_SCFG_ENDPOINT_FILE,
    TH_SCFG_NOTIFY_BIND,
    TH_SCFG_NOTIFY_ENDPOINT_FILE,
    TH_SCFG_BATCH,
    TH_SCFG_DB_TIMEOUT,
    TH_SCFG_WORKERS,
    TH_SCFG_INGEST_WORKERS,
    TH_SCFG_MAX_OPEN_PER_CLIENT,
    TH_SCFG_SECRET_KEY_FILE,
    TH_SCFG_VERBOSE,
    TH_SCFG_LOG_FORMAT,
    TH_SCFG_LANG,
    TH_SCFG_METRICS_BIND,
    TH_SCFG_READ_DB,
    TH_SCFG_NKEYS
} th_serve_config_key;

#define TH_SCFG_BIT(k) (1u << (k))

/* What a file says. Strings are owned (th_serve_config_fini); numbers are 0
 * and strings NULL when the file does not set them (see .set). */
typedef struct th_serve_config_file {
    char *db, *bind, *endpoint_file, *notify_bind, *notify_endpoint_file, *secret_key_file, *metrics_bind,
        *read_db;
    long batch, db_timeout_ms, workers, ingest_workers, max_open_per_client;
    int verbose;  /* "yes": log more (--verbose) */
    int log_json; /* log_format = json */
    char lang[3]; /* "vi", "en" or "" */
    unsigned set; /* TH_SCFG_BIT of each key the file sets */
} th_serve_config_file;

/* Reads the settings from f; name is the file's name for messages. Returns
 * 0, or -1 with "NAME, line N, KEY: why" (translated) in err and *out
 * empty. */
int th_serve_config_read(FILE *f, const char *name, th_serve_config_file *out, char *err, size_t errlen);

/* th_serve_config_read on the file at path. */
int th_serve_config_load(const char *path, th_serve_config_file *out, char *err, size_t errlen);

void th_serve_config_fini(th_serve_config_file *cfg);

/* The keys (TH_SCFG_BIT) whose values differ between a and b, a key being
 * unset on one side and set on the other included. */
unsigned th_serve_config_changed(const th_serve_config_file *a, const th_serve_config_file *b);

/* The key's name in the file, e.g. "max_open_per_client". */
const char *th_serve_config_key_name(th_serve_config_key key);

/* True for the keys a running server applies on SIGHUP (verbose,
 * max_open_per_client, log_format); the others take a restart. */
int th_serve_config_is_live(th_serve_config_key key);

/* True when a libpq DSN or URI carries a password: "password=..." or
 * "postgresql://user:secret@host". */
int th_serve_config_dsn_has_password(const char *dsn);

#endif
