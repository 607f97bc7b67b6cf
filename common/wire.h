/* wire.h -- packing and unpacking of protocol envelopes.
 *
 * All bytes that cross the network go through these functions, so the limits
 * live here: a message larger than TH_WIRE_MAX_BYTES is refused before
 * protobuf-c sees it, and unpacking uses a budgeted allocator so that a small
 * hostile message cannot make the server allocate without bound. */
#ifndef TH_WIRE_H
#define TH_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "tonghop.pb-c.h"

#define TH_PROTOCOL_VERSION 1
/* Also set as ZMQ_MAXMSGSIZE on the server's socket. Replies may be larger
 * (a report by commune): the client accepts up to TH_WIRE_MAX_REPLY_BYTES. */
#define TH_WIRE_MAX_BYTES (1024 * 1024)
/* Upper bound on the memory one unpacked envelope may use. */
#define TH_WIRE_MAX_ALLOC (4 * 1024 * 1024)
#define TH_WIRE_MAX_REPLY_BYTES (32 * 1024 * 1024)
#define TH_MAX_VALUES 1000
#define TH_MAX_TEXT 4000
#define TH_MAX_CODE 32

typedef Tonghop__Envelope th_envelope;

struct th_verr; /* validate.h */

/* Error.detail of a string field refused by th_wire_unpack_checked. They say
 * what is wrong, never the bytes themselves. */
#define TH_WIRE_DETAIL_NUL "NUL byte"
#define TH_WIRE_DETAIL_NOT_UTF8 "not UTF-8"
/* Nesting of messages th_wire_unpack_checked follows (the schema has 4). */
#define TH_WIRE_MAX_DEPTH 8

/* A decoded envelope together with the allocator that owns its memory. */
typedef struct th_wire_msg th_wire_msg;

/* Decodes bytes into an envelope. Returns NULL when the bytes are too many,
 * not a protobuf Envelope, or would need more than TH_WIRE_MAX_ALLOC bytes.
 * Free with th_wire_msg_destroy. */
th_wire_msg *th_wire_unpack(const uint8_t *data, size_t len);
/* Like th_wire_unpack, and refuses an envelope in which any string field, at
 * any depth (unknown fields aside), contains a NUL byte or is not valid
 * UTF-8: protobuf-c would cut such a string at the NUL ("22921\0xyz" read
 * as "22921"), and proto2 requires UTF-8. Returns NULL and fills *err (when
 * err is not NULL) with:
 *   MALFORMED, no field: as th_wire_unpack's NULL (not an envelope, too many
 *     bytes, over the memory budget, or nested deeper than TH_WIRE_MAX_DEPTH);
 *   INVALID_VALUE, field the path from the envelope
 *     ("submission.values[2].text", repeated fields indexed from 0), detail
 *     TH_WIRE_DETAIL_NUL or TH_WIRE_DETAIL_NOT_UTF8.
 * The first offending string in wire order is reported. On success err->code
 * is 0. */
th_wire_msg *th_wire_unpack_checked(const uint8_t *data, size_t len, struct th_verr *err);
/* The envelope inside; owned by msg. */
th_envelope *th_wire_msg_envelope(th_wire_msg *msg);
void th_wire_msg_destroy(th_wire_msg **msg);

/* Receives one whole multipart message from a ZeroMQ DEALER socket (an
 * optional empty delimiter, then the payload) and unpacks its last frame.
 * Blocks until a message is there. Returns NULL when the payload is not an
 * envelope or the receive failed. */
th_wire_msg *th_wire_recv(void *zsock);

/* Packs an envelope into a new malloc'd buffer; *len gets its size. Returns
 * NULL on allocation failure. The caller frees the buffer. */
uint8_t *th_wire_pack(const th_envelope *env, size_t *len);

/* Fills a reply envelope (on the stack) for a request id. */
void th_wire_init_reply(th_envelope *env, const char *request_id);

/* Fills err and points env's body at it. code is a TONGHOP__ERROR__CODE__*
 * value; field, detail and message may be NULL. Strings are not copied. */
void th_wire_set_error(th_envelope *env, Tonghop__Error *err, int code, const char *field, const char *detail,
                       const char *message);

/* The name of an error code, as used in SQL and logs ("UNKNOWN_UNIT"), and
 * back. th_wire_error_code returns 0 (unspecified) for an unknown name. */
const char *th_wire_error_name(int code);
int th_wire_error_code(const char *name);

/* True when the error code means "try the same request again later". */
int th_wire_error_retryable(int code);

#endif
