/* config.c -- reading the client's configuration files. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "i18n.h"
#include "keyfile.h"

#define TH_SYSCONFIG "/etc/tonghop/tonghop.conf"

static char *keep(th_config *cfg, const char *s)
{
    if (cfg->nowned >= sizeof cfg->owned / sizeof cfg->owned[0]) return NULL;
    char *d = strdup(s);
    if (d) cfg->owned[cfg->nowned++] = d;
    return d;
}

int th_config_set_servers(th_config *cfg, const char *list)
{
    char *copy = keep(cfg, list);
    if (!copy) return -1;
    cfg->nservers = 0;
    for (char *save = NULL, *t = strtok_r(copy, ", \t", &save); t; t = strtok_r(NULL, ", \t", &save)) {
        if (cfg->nservers == TH_CONFIG_MAX_SERVERS) return -1;
        cfg->servers[cfg->nservers++] = t;
    }
    return 0;
}

/* Sets one key. Returns NULL, or the reason it is refused. */
static const char *set_key(th_config *cfg, const char *key, const char *value, int *servers_from_this_file)
{
    long v;
    if (!strcmp(key, "server")) {
        /* Several "server" lines in one file add up; a later file replaces. */
        if (!*servers_from_this_file) cfg->nservers = 0;
        *servers_from_this_file = 1;
        char *copy = keep(cfg, value);
        if (!copy) return _("too many settings");
        for (char *save = NULL, *t = strtok_r(copy, ", \t", &save); t; t = strtok_r(NULL, ", \t", &save)) {
            if (cfg->nservers == TH_CONFIG_MAX_SERVERS) return _("too many servers (at most 8)");
            cfg->servers[cfg->nservers++] = t;
        }
    } else if (!strcmp(key, "unit")) {
        cfg->unit = keep(cfg, value);
    } else if (!strcmp(key, "spool")) {
        cfg->spool = keep(cfg, value);
    } else if (!strcmp(key, "lang")) {
        if (!th_cli_lang_known(value)) return _("unknown language (vi or en)");
        cfg->lang = keep(cfg, value);
    } else if (!strcmp(key, "timeout")) {
        if (th_cli_parse_duration_ms(value, 1, 3600000, &v) != 0)
            return _("not a duration (e.g. 5000, 500ms, 30s, 2min)");
        cfg->timeout_ms = v;
    } else if (!strcmp(key, "retries")) {
        if (th_cli_parse_count(value, 1, 100, &v) != 0) return _("not a whole number from 1 to 100");
        cfg->attempts = v;
    } else if (!strcmp(key, "server_key")) {
        if (!th_key_valid(value)) return _("not a public key (40 characters from tonghopd keygen)");
        cfg->server_key = keep(cfg, value);
    } else if (!strcmp(key, "key_file")) {
        cfg->key_file = keep(cfg, value);
    } else if (!strcmp(key, "notify")) {
        cfg->notify = keep(cfg, value);
    } else {
        return _(
            "unknown setting (server, unit, spool, lang, timeout, retries, server_key, key_file, notify)");
    }
    return NULL;
}

/* Reads one file; a missing file is no error. */
static int read_file(th_config *cfg, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT) return 0;
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char line[4096], *key, *value;
    int lineno = 0, servers_here = 0, rc;
    while ((rc = th_cli_config_next(f, path, line, sizeof line, &lineno, &key, &value, err, errlen)) == 1) {
        const char *why = *value ? set_key(cfg, key, value, &servers_here) : _("the value is empty");
        if (why) {
            snprintf(err, errlen, _("%s, line %d, %s: %s"), path, lineno, key, why);
            rc = -1;
            break;
        }
    }
    fclose(f);
    return rc < 0 ? -1 : 0;
}

int th_config_load(th_config *cfg, char *err, size_t errlen)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->timeout_ms = 5000;
    cfg->attempts = 3;
    const char *sys = getenv("TONGHOP_SYSCONFIG");
    if (read_file(cfg, sys && *sys ? sys : TH_SYSCONFIG, err, errlen) != 0) return -1;
    char path[1024];
    const char *user = getenv("TONGHOP_CONFIG"), *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    if (user && *user)
        snprintf(path, sizeof path, "%s", user);
    else if (xdg && *xdg)
        snprintf(path, sizeof path, "%s/tonghop/config", xdg);
    else
        snprintf(path, sizeof path, "%s/.config/tonghop/config", home && *home ? home : ".");
    if (read_file(cfg, path, err, errlen) != 0) return -1;

    const char *e;
    long v;
    if ((e = getenv("TONGHOP_SERVER")) && *e && th_config_set_servers(cfg, e) != 0) {
        snprintf(err, errlen, "TONGHOP_SERVER: %s", _("too many servers (at most 8)"));
        return -1;
    }
    if ((e = getenv("TONGHOP_UNIT")) && *e) cfg->unit = e;
    if ((e = getenv("TONGHOP_SPOOL")) && *e) cfg->spool = e;
    if ((e = getenv("TONGHOP_LANG")) && *e) cfg->lang = e;
    if ((e = getenv("TONGHOP_SERVER_KEY")) && *e) cfg->server_key = e;
    if ((e = getenv("TONGHOP_KEY_FILE")) && *e) cfg->key_file = e;
    if ((e = getenv("TONGHOP_NOTIFY")) && *e) cfg->notify = e;
    if ((e = getenv("TONGHOP_TIMEOUT")) && *e) {
        if (th_cli_parse_duration_ms(e, 1, 3600000, &v) != 0) {
            snprintf(err, errlen, "TONGHOP_TIMEOUT: %s", _("not a duration (e.g. 5000, 500ms, 30s, 2min)"));
            return -1;
        }
        cfg->timeout_ms = v;
    }
    return 0;
}

void th_config_fini(th_config *cfg)
{
    for (size_t i = 0; i < cfg->nowned; i++)
        free(cfg->owned[i]);
    memset(cfg, 0, sizeof *cfg);
}
