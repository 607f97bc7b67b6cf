/* serve_config.c -- reading tonghopd's configuration file. */
#include "serve_config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "i18n.h"

static const char *const key_names[TH_SCFG_NKEYS] = {
    [TH_SCFG_DB] = "db",
    [TH_SCFG_BIND] = "bind",
    [TH_SCFG_ENDPOINT_FILE] = "endpoint_file",
    [TH_SCFG_NOTIFY_BIND] = "notify_bind",
    [TH_SCFG_NOTIFY_ENDPOINT_FILE] = "notify_endpoint_file",
    [TH_SCFG_BATCH] = "batch",
    [TH_SCFG_DB_TIMEOUT] = "db_timeout",
    [TH_SCFG_WORKERS] = "workers",
    [TH_SCFG_INGEST_WORKERS] = "ingest_workers",
    [TH_SCFG_MAX_OPEN_PER_CLIENT] = "max_open_per_client",
    [TH_SCFG_SECRET_KEY_FILE] = "secret_key_file",
    [TH_SCFG_VERBOSE] = "verbose",
    [TH_SCFG_LOG_FORMAT] = "log_format",
    [TH_SCFG_LANG] = "lang",
    [TH_SCFG_METRICS_BIND] = "metrics_bind",
    [TH_SCFG_READ_DB] = "read_db",
};

const char *th_serve_config_key_name(th_serve_config_key key)
{
    return key >= 0 && key < TH_SCFG_NKEYS ? key_names[key] : "?";
}

int th_serve_config_is_live(th_serve_config_key key)
{
    return key == TH_SCFG_VERBOSE || key == TH_SCFG_MAX_OPEN_PER_CLIENT || key == TH_SCFG_LOG_FORMAT;
}

int th_serve_config_dsn_has_password(const char *dsn)
{
    for (const char *p = dsn; *p; p++)
        if (!strncasecmp(p, "password", 8)) return 1;
    const char *scheme = strstr(dsn, "://");
    if (scheme) {
        const char *at = strchr(scheme + 3, '@'), *colon = strchr(scheme + 3, ':');
        if (at && colon && colon < at) return 1;
    }
    return 0;
}

static int find_key(const char *name)
{
    for (int k = 0; k < TH_SCFG_NKEYS; k++)
        if (!strcmp(name, key_names[k])) return k;
    return -1;
}

static const char *count(const char *value, long lo, long hi, long *out, char *why, size_t whylen)
{
    if (th_cli_parse_count(value, lo, hi, out) == 0) return NULL;
    snprintf(why, whylen, _("not a whole number from %ld to %ld"), lo, hi);
    return why;
}

/* Sets one key. Returns NULL, or why the value is refused. */
static const char *set_key(th_serve_config_file *c, int key, const char *value, char *why, size_t whylen)
{
    char **str = NULL;
    switch ((th_serve_config_key)key) {
    case TH_SCFG_DB:
        if (th_serve_config_dsn_has_password(value))
            return _("must not carry a password (others may read this file): put it in the server user's "
                     "~/.pgpass, or the whole connection string in TONGHOP_DB");
        str = &c->db;
        break;
    case TH_SCFG_BIND: str = &c->bind; break;
    case TH_SCFG_ENDPOINT_FILE: str = &c->endpoint_file; break;
    case TH_SCFG_NOTIFY_BIND: str = &c->notify_bind; break;
    case TH_SCFG_NOTIFY_ENDPOINT_FILE: str = &c->notify_endpoint_file; break;
    case TH_SCFG_METRICS_BIND: str = &c->metrics_bind; break;
    case TH_SCFG_READ_DB:
        if (th_serve_config_dsn_has_password(value))
            return _("must not carry a password (others may read this file): put it in the server user's "
                     "~/.pgpass, or the whole connection string in TONGHOP_DB");
        str = &c->read_db;
        break;
    case TH_SCFG_SECRET_KEY_FILE: str = &c->secret_key_file; break;
    case TH_SCFG_BATCH: return count(value, 1, 10000, &c->batch, why, whylen);
    case TH_SCFG_WORKERS: return count(value, 1, 64, &c->workers, why, whylen);
    case TH_SCFG_INGEST_WORKERS: return count(value, 1, 16, &c->ingest_workers, why, whylen);
    case TH_SCFG_MAX_OPEN_PER_CLIENT: return count(value, 1, 4096, &c->max_open_per_client, why, whylen);
    case TH_SCFG_DB_TIMEOUT:
        if (th_cli_parse_duration_ms(value, 100, 3600000, &c->db_timeout_ms) != 0)
            return _("not a duration from 100ms to 60min (e.g. 10000, 500ms, 30s)");
        return NULL;
    case TH_SCFG_VERBOSE:
        if (!strcmp(value, "yes"))
            c->verbose = 1;
        else if (!strcmp(value, "no"))
            c->verbose = 0;
        else
            return _("yes or no");
        return NULL;
    case TH_SCFG_LOG_FORMAT:
        if (!strcmp(value, "json"))
            c->log_json = 1;
        else if (!strcmp(value, "text"))
            c->log_json = 0;
        else
            return _("text or json");
        return NULL;
    case TH_SCFG_LANG:
        if (!th_cli_lang_known(value)) return _("unknown language (vi or en)");
        snprintf(c->lang, sizeof c->lang, "%.2s", value);
        return NULL;
    case TH_SCFG_NKEYS: break;
    }
    if (!str) return _("unknown setting");
    *str = strdup(value);
    return *str ? NULL : _("out of memory");
}

int th_serve_config_read(FILE *f, const char *name, th_serve_config_file *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    int first_line[TH_SCFG_NKEYS] = {0};
    char line[4096], why[256], *key, *value;
    int lineno = 0, rc;
    while ((rc = th_cli_config_next(f, name, line, sizeof line, &lineno, &key, &value, err, errlen)) == 1) {
        int k = find_key(key);
        const char *reason = NULL;
        if (k < 0)
            reason = _("unknown setting (db, bind, endpoint_file, notify_bind, notify_endpoint_file, batch, "
                       "db_timeout, workers, ingest_workers, max_open_per_client, secret_key_file, verbose, "
                       "log_format, lang, metrics_bind, read_db)");
        else if (first_line[k]) {
            snprintf(why, sizeof why, _("already set on line %d"), first_line[k]);
            reason = why;
        } else if (!*value)
            reason = _("the value is empty");
        else
            reason = set_key(out, k, value, why, sizeof why);
        if (reason) {
            snprintf(err, errlen, _("%s, line %d, %s: %s"), name, lineno, key, reason);
            goto fail;
        }
        first_line[k] = lineno;
        out->set |= TH_SCFG_BIT(k);
    }
    if (rc < 0) goto fail;
    return 0;
fail:
    th_serve_config_fini(out);
    return -1;
}

int th_serve_config_load(const char *path, th_serve_config_file *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    int rc = th_serve_config_read(f, path, out, err, errlen);
    fclose(f);
    return rc;
}

void th_serve_config_fini(th_serve_config_file *cfg)
{
    free(cfg->db);
    free(cfg->bind);
    free(cfg->endpoint_file);
    free(cfg->notify_bind);
    free(cfg->notify_endpoint_file);
    free(cfg->metrics_bind);
    free(cfg->read_db);
    free(cfg->secret_key_file);
    memset(cfg, 0, sizeof *cfg);
}

static int str_differs(const char *a, const char *b)
{
    if (!a || !b) return a != b;
    return strcmp(a, b) != 0;
}

unsigned th_serve_config_changed(const th_serve_config_file *a, const th_serve_config_file *b)
{
    unsigned m = (a->set ^ b->set);
    if (str_differs(a->db, b->db)) m |= TH_SCFG_BIT(TH_SCFG_DB);
    if (str_differs(a->bind, b->bind)) m |= TH_SCFG_BIT(TH_SCFG_BIND);
    if (str_differs(a->endpoint_file, b->endpoint_file)) m |= TH_SCFG_BIT(TH_SCFG_ENDPOINT_FILE);
    if (str_differs(a->notify_bind, b->notify_bind)) m |= TH_SCFG_BIT(TH_SCFG_NOTIFY_BIND);
    if (str_differs(a->notify_endpoint_file, b->notify_endpoint_file))
        m |= TH_SCFG_BIT(TH_SCFG_NOTIFY_ENDPOINT_FILE);
    if (str_differs(a->metrics_bind, b->metrics_bind)) m |= TH_SCFG_BIT(TH_SCFG_METRICS_BIND);
    if (str_differs(a->read_db, b->read_db)) m |= TH_SCFG_BIT(TH_SCFG_READ_DB);
    if (str_differs(a->secret_key_file, b->secret_key_file)) m |= TH_SCFG_BIT(TH_SCFG_SECRET_KEY_FILE);
    if (a->batch != b->batch) m |= TH_SCFG_BIT(TH_SCFG_BATCH);
    if (a->db_timeout_ms != b->db_timeout_ms) m |= TH_SCFG_BIT(TH_SCFG_DB_TIMEOUT);
    if (a->workers != b->workers) m |= TH_SCFG_BIT(TH_SCFG_WORKERS);
    if (a->ingest_workers != b->ingest_workers) m |= TH_SCFG_BIT(TH_SCFG_INGEST_WORKERS);
    if (a->max_open_per_client != b->max_open_per_client) m |= TH_SCFG_BIT(TH_SCFG_MAX_OPEN_PER_CLIENT);
    if (a->verbose != b->verbose) m |= TH_SCFG_BIT(TH_SCFG_VERBOSE);
    if (a->log_json != b->log_json) m |= TH_SCFG_BIT(TH_SCFG_LOG_FORMAT);
    if (strcmp(a->lang, b->lang) != 0) m |= TH_SCFG_BIT(TH_SCFG_LANG);
    return m;
}
