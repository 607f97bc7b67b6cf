/* transport.h -- requests and replies over an unreliable link.
 *
 * The zguide's Lazy Pirate pattern on a DEALER socket: send, wait up to a
 * timeout for the reply that carries our request id, and on silence close
 * the socket, back off, and send again (to the next endpoint when several
 * are configured). Why nothing came back is told apart: the server's name
 * does not resolve (checked before connecting), the connection is refused
 * (libzmq's socket monitor: the attempt ends at once), or the server took
 * the connection but did not answer in time. The server deduplicates by submission id, so resending
 * is safe. A session keeps its socket between requests (a sync of a
 * thousand queued submissions reuses one connection) and never blocks
 * longer than about attempts x (timeout + backoff) per request. */
#ifndef TH_TRANSPORT_H
#define TH_TRANSPORT_H

#include <stddef.h>

#include "wire.h"

typedef struct th_transport_config {
    const char *const *endpoints; /* tried in turn */
    size_t nendpoints;
    int timeout_ms;         /* per attempt */
    int attempts;           /* in all, across endpoints */
    const char *server_key; /* Z85; NULL: plain text (a server started --insecure) */
    const char *public_key; /* this client's key pair (Z85), with server_key */
    const char *secret_key;
} th_transport_config;

typedef enum {
    TH_TRANSPORT_OK = 0,    /* *reply holds the server's answer */
    TH_TRANSPORT_NO_ANSWER, /* no server answered in time */
    TH_TRANSPORT_FAILED,    /* local failure (bad endpoint, memory) */
} th_transport_status;

typedef struct th_transport th_transport;

/* cfg (and its endpoints) must outlive the session. Connects lazily. */
th_transport *th_transport_new(const th_transport_config *cfg);
void th_transport_destroy(th_transport **t);

/* Sends req (its request_id must be set) and waits for the matching reply.
 * A reply saying "try again later" (database down) is retried like silence
 * while attempts remain. On TH_TRANSPORT_OK the caller owns *reply
 * (th_wire_msg_destroy). After a request that got no answer, the session
 * gives up at once on the following ones (the server is unreachable) until
 * th_transport_reset. */
th_transport_status th_transport_request(th_transport *t, const th_envelope *req, th_wire_msg **reply,
                                         char *err, size_t errlen);

/* Checks an endpoint's form before anything is queued: "tcp://HOST:PORT"
 * (a name, an IPv4 address or [IPv6], a port 1-65535) or "ipc://PATH".
 * Returns 0, or -1 with the reason in err. */
int th_transport_check_endpoint(const char *endpoint, char *err, size_t errlen);

/* Forgets that the server was unreachable. */
void th_transport_reset(th_transport *t);

#endif
