/* keys.h -- who may talk to the server: the enrolled CURVE keys.
 *
 * A ZAP handler (RFC 27) runs in its own thread on inproc://zeromq.zap.01:
 * libzmq asks it about every CURVE handshake, and it accepts a client whose
 * public key is enrolled and not revoked (table client_keys), giving the key
 * as the connection's User-Id. The thread reloads the keys from PostgreSQL
 * twice a second, so a revocation takes effect within a second: at the next
 * handshake, and, through th_keys_lookup, on connections already open (the
 * front checks each request's User-Id). Until the keys were read once, and
 * whenever none is enrolled, every client is refused: it fails closed. */
#ifndef TH_KEYS_H
#define TH_KEYS_H

#include <stddef.h>

#include "audit.h"
#include "authz.h"

typedef struct th_keys th_keys;

/* Binds the ZAP endpoint in zctx and starts the thread; call before any
 * CURVE server socket binds. Refused handshakes are recorded in audit (may
 * be NULL). Returns NULL with the reason in err. */
th_keys *th_keys_start(void *zctx, const char *dsn, int db_timeout_ms, th_audit *audit, char *err,
                       size_t errlen);

/* True when z85 (a client's public key) is enrolled and not revoked now;
 * then fills who's key, unit, code_reused_on and role (who may be NULL). */
int th_keys_lookup(th_keys *k, const char *z85, th_identity *who);

void th_keys_stop(th_keys **k);

#endif
