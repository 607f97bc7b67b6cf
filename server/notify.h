/* notify.h -- live notifications: what happened, published to the
 * subscribers whose territory it concerns (issue #13).
 *
 * One thread owns an XPUB socket (tonghopd serve --notify-bind), encrypted
 * and authenticated like the request socket (the server's CURVE key, the
 * same ZAP handler and keys). It runs in manual mode: a subscriber's
 * "subscribe" never reaches the subscription table as it is. The thread
 * reads who sent it (the key, from the ZAP User-Id) and subscribes that
 * connection to the topics of the key's territory alone
 * (th_notify_subscription, migrations/rules/65_notify.sql); a subscriber
 * may narrow its territory (ask for a unit inside it), never widen it.
 * When a subscribed key is revoked, or enrolled again for another unit or
 * role, the thread (which looks every second) opens its socket again on the
 * same endpoint: XPUB cannot drop one subscriber, so every one reconnects
 * and subscribes again; the revoked key is refused (at the handshake, and
 * here: its key is read from the database again), the key enrolled again
 * hears its new territory.
 * Notifications sent in the fraction of a second that takes are missed.
 *
 * Other threads post events (th_notify_post) into a bounded queue and go
 * on: the thread turns each into topics with one query per batch and
 * publishes them. A notification is a courtesy, never a delivery: when the
 * queue is full, or nobody listens, events are dropped (and counted in the
 * log). Once a minute (and as the clock passes them) the thread also looks
 * for deadlines 7, 3 and 1 days ahead and for deadlines just missed, and
 * announces them per unit that has not reported. How far it announced is
 * kept in the database (notify_scans): after a restart it announces what
 * came while it was stopped (up to seven days), once subscribers are back,
 * and of two servers on one database one announces each window.
 *
 * There is one notifier per process: th_notify_post does nothing until
 * th_notify_start and after th_notify_stop. */
#ifndef TH_NOTIFY_H
#define TH_NOTIFY_H

#include <stddef.h>
#include <stdint.h>

typedef struct th_notify_config {
    void *zctx;
    const char *bind;       /* e.g. "tcp://0.0.0.0:5571" */
    const char *secret_key; /* the server's Z85 secret key; NULL: plain text (--insecure) */
    const char *dsn;
    int db_timeout_ms;
    const char *test_clock; /* FOR TESTS ONLY: as th_lane_config.test_clock */
    int deadline_scan_ms;   /* how often to look for deadlines (0: 60 s) */
} th_notify_config;

typedef struct th_notify_event {
    int kind;               /* TONGHOP__NOTIFICATION__KIND__* */
    char unit[33];          /* the unit's GSO code */
    char period[8];         /* "2025Q3", "2025", or "" */
    char plan[65];          /* or "" */
    char submission_id[40]; /* or "" */
    char detail[200];       /* or "" */
    char deadline[11];      /* ISO date, or "" */
    unsigned days;          /* DEADLINE_NEAR */
    int64_t at;             /* Unix seconds */
} th_notify_event;

/* Binds and starts the thread. Returns 0, or -1 with the reason in err. */
int th_notify_start(const th_notify_config *cfg, char *err, size_t errlen);

/* Thread-safe; never blocks on the network or the database. */
void th_notify_post(const th_notify_event *ev);

/* The endpoint bound (for tests: "tcp://127.0.0.1:*" picks a port), or "". */
const char *th_notify_endpoint(void);

/* Stops the thread and closes the socket; events still queued are dropped. */
void th_notify_stop(void);

#endif
