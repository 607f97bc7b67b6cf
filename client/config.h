/* config.h -- the client's settings: command line over environment over
 * configuration files.
 *
 * Files, "key = value" per line, '#' starts a comment:
 *   /etc/tonghop/tonghop.conf              the machine's (TONGHOP_SYSCONFIG
 *                                          names another)
 *   $XDG_CONFIG_HOME/tonghop/config        the user's (~/.config/... when
 *                                          XDG_CONFIG_HOME is unset;
 *                                          TONGHOP_CONFIG names another)
 * Keys: server (one or more endpoints, separated by commas or spaces; may
 * be repeated), unit, spool, lang, timeout, retries, server_key (the
 * server's public key: with it, every connection is encrypted and signed
 * with this client's key pair), key_file (that key pair, from tonghop
 * keygen), notify (the server's notification endpoint, for tonghop watch;
 * TONGHOP_NOTIFY). The user's file
 * overrides the machine's; TONGHOP_SERVER, TONGHOP_UNIT, TONGHOP_SPOOL,
 * TONGHOP_LANG, TONGHOP_TIMEOUT, TONGHOP_SERVER_KEY, TONGHOP_KEY_FILE
 * override both; options override all. An
 * unknown key or a bad value is an error naming the file and line. */
#ifndef TH_CONFIG_H
#define TH_CONFIG_H

#include <stddef.h>

#define TH_CONFIG_MAX_SERVERS 8

typedef struct th_config {
    const char *servers[TH_CONFIG_MAX_SERVERS];
    size_t nservers;
    const char *unit;
    const char *spool;
    const char *lang;
    long timeout_ms;
    long attempts;
    const char *server_key; /* the server's CURVE public key (Z85), or NULL: plain text */
    const char *key_file;   /* this client's key pair (tonghop keygen) */
    const char *notify;     /* the server's notification endpoint (tonghop watch) */
    /* where each came from, for "tonghop config" style messages */
    char *owned[64]; /* strings this config owns */
    size_t nowned;
} th_config;

/* Defaults, then the files, then the environment. Returns 0, or -1 with
 * the file, line and reason in err. */
int th_config_load(th_config *cfg, char *err, size_t errlen);

/* Replaces the servers with those in list (commas or spaces). Returns 0 or
 * -1 when there are more than TH_CONFIG_MAX_SERVERS. */
int th_config_set_servers(th_config *cfg, const char *list);

void th_config_fini(th_config *cfg);

#endif
