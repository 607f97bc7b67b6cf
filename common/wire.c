/* wire.c -- envelope packing with size and memory budgets. */
#include "wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "validate.h"

/* A ProtobufCAllocator that refuses to hand out more than a fixed budget. */
typedef struct budget {
    size_t used;
    size_t limit;
} budget;

typedef struct budget_hdr {
    size_t size;
    max_align_t align; /* keeps the user pointer aligned */
} budget_hdr;

static void *budget_alloc(void *data, size_t size)
{
    budget *b = data;
    size_t cost = sizeof(budget_hdr) + size;
    if (size > b->limit || cost > b->limit - b->used) return NULL;
    budget_hdr *h = malloc(cost);
    if (!h) return NULL;
    h->size = cost;
    b->used += cost;
    return (char *)h + sizeof *h;
}

static void budget_free(void *data, void *ptr)
{
    if (!ptr) return;
    budget *b = data;
    budget_hdr *h = (budget_hdr *)((char *)ptr - sizeof *h);
    b->used -= h->size;
    free(h);
}

struct th_wire_msg {
    budget b;
    ProtobufCAllocator alloc;
    th_envelope *env;
};

th_wire_msg *th_wire_unpack(const uint8_t *data, size_t len)
{
    if (!data || len > TH_WIRE_MAX_REPLY_BYTES) return NULL;
    th_wire_msg *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->b.limit = TH_WIRE_MAX_ALLOC;
    m->alloc.alloc = budget_alloc;
    m->alloc.free = budget_free;
    m->alloc.allocator_data = &m->b;
    m->env = tonghop__envelope__unpack(&m->alloc, len, data);
    if (!m->env) {
        free(m);
        return NULL;
    }
    return m;
}

/* ---- strings as they are on the wire ----
 *
 * protobuf-c copies a string field into a NUL-terminated buffer and keeps no
 * length, so "22921\0xyz" would reach the handlers as "22921". The raw bytes
 * are walked here, field by field, driven by the message descriptors: every
 * length-delimited occurrence of a TYPE_STRING field is checked, every
 * embedded message is entered (depth bounded), anything else is skipped. The
 * walk runs after protobuf-c has accepted the bytes, so a structural fault
 * found here only means "leave it to protobuf-c". */

typedef enum { WALK_OK = 0, WALK_REFUSED, WALK_MALFORMED } walk_rc;

/* Reads a varint; returns the bytes used, 0 when truncated or too long. */
static size_t read_varint(const uint8_t *p, const uint8_t *end, uint64_t *v)
{
    uint64_t r = 0;
    for (size_t i = 0; i < 10 && p + i < end; i++) {
        r |= (uint64_t)(p[i] & 0x7f) << (7 * i);
        if (!(p[i] & 0x80)) {
            *v = r;
            return i + 1;
        }
    }
    return 0;
}

/* Appends ".name" (or "name" at the top) and "[index]" for a repeated
 * field to path, truncating; returns the old length to restore. */
static size_t path_push(char *path, size_t size, const ProtobufCFieldDescriptor *f, unsigned index)
{
    size_t old = strlen(path);
    if (f->label == PROTOBUF_C_LABEL_REPEATED)
        snprintf(path + old, size - old, "%s%s[%u]", old ? "." : "", f->name, index);
    else
        snprintf(path + old, size - old, "%s%s", old ? "." : "", f->name);
    return old;
}

#define WALK_MAX_FIELDS 64 /* per message, for repeated indexes; ours have < 32 */

static walk_rc walk_message(const ProtobufCMessageDescriptor *d, const uint8_t *p, const uint8_t *end,
                            int depth, char *path, size_t size, const char **detail)
{
    if (depth > TH_WIRE_MAX_DEPTH) return WALK_MALFORMED;
    unsigned seen[WALK_MAX_FIELDS] = {0};
    while (p < end) {
        uint64_t tag, n;
        size_t used = read_varint(p, end, &tag);
        if (!used) return WALK_MALFORMED;
        p += used;
        unsigned wt = (unsigned)(tag & 7);
        uint64_t number = tag >> 3;
        switch (wt) {
        case 0: /* varint */
            if (!(used = read_varint(p, end, &n))) return WALK_MALFORMED;
            p += used;
            continue;
        case 1: /* 64-bit */
            if (end - p < 8) return WALK_MALFORMED;
            p += 8;
            continue;
        case 5: /* 32-bit */
            if (end - p < 4) return WALK_MALFORMED;
            p += 4;
            continue;
        case 2: break;
        default: return WALK_MALFORMED; /* groups: not in our schema */
        }
        if (!(used = read_varint(p, end, &n))) return WALK_MALFORMED;
        p += used;
        if (n > (uint64_t)(end - p)) return WALK_MALFORMED;
        const uint8_t *val = p;
        p += n;
        const ProtobufCFieldDescriptor *f = number && number <= UINT32_MAX
                                                ? protobuf_c_message_descriptor_get_field(d, (unsigned)number)
                                                : NULL;
        if (!f || (f->type != PROTOBUF_C_TYPE_STRING && f->type != PROTOBUF_C_TYPE_MESSAGE))
            continue; /* unknown, bytes, or a packed repeated scalar */
        size_t fi = (size_t)(f - d->fields);
        unsigned index = fi < WALK_MAX_FIELDS ? seen[fi]++ : 0;
        size_t old = path_push(path, size, f, index);
        walk_rc rc = WALK_OK;
        if (f->type == PROTOBUF_C_TYPE_STRING) {
            if (memchr(val, 0, (size_t)n)) {
                *detail = TH_WIRE_DETAIL_NUL;
                rc = WALK_REFUSED;
            } else if (!th_validate_utf8_n((const char *)val, (size_t)n)) {
                *detail = TH_WIRE_DETAIL_NOT_UTF8;
                rc = WALK_REFUSED;
            }
        } else {
            rc = walk_message(f->descriptor, val, val + n, depth + 1, path, size, detail);
        }
        if (rc != WALK_OK) return rc; /* path keeps the offending field's name */
        path[old] = '\0';
    }
    return WALK_OK;
}

static void verr_set(struct th_verr *err, int code, const char *field, const char *detail)
{
    if (!err) return;
    memset(err, 0, sizeof *err);
    err->code = code;
    snprintf(err->field, sizeof err->field, "%s", field ? field : "");
    snprintf(err->detail, sizeof err->detail, "%s", detail ? detail : "");
}

th_wire_msg *th_wire_unpack_checked(const uint8_t *data, size_t len, struct th_verr *err)
{
    verr_set(err, 0, NULL, NULL);
    th_wire_msg *m = th_wire_unpack(data, len);
    if (!m) {
        verr_set(err, TONGHOP__ERROR__CODE__MALFORMED, NULL, NULL);
        return NULL;
    }
    char path[sizeof err->field];
    const char *detail = NULL;
    path[0] = '\0';
    walk_rc rc =
        walk_message(&tonghop__envelope__descriptor, data, data + len, 1, path, sizeof path, &detail);
    if (rc == WALK_OK) return m;
    th_wire_msg_destroy(&m);
    if (rc == WALK_REFUSED)
        verr_set(err, TONGHOP__ERROR__CODE__INVALID_VALUE, path, detail);
    else
        verr_set(err, TONGHOP__ERROR__CODE__MALFORMED, NULL, NULL);
    return NULL;
}

th_envelope *th_wire_msg_envelope(th_wire_msg *msg) { return msg ? msg->env : NULL; }

void th_wire_msg_destroy(th_wire_msg **msg)
{
    if (!msg || !*msg) return;
    tonghop__envelope__free_unpacked((*msg)->env, &(*msg)->alloc);
    free(*msg);
    *msg = NULL;
}

uint8_t *th_wire_pack(const th_envelope *env, size_t *len)
{
    size_t n = tonghop__envelope__get_packed_size(env);
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf) return NULL;
    *len = tonghop__envelope__pack(env, buf);
    return buf;
}

void th_wire_init_reply(th_envelope *env, const char *request_id)
{
    tonghop__envelope__init(env);
    env->has_protocol_version = 1;
    env->protocol_version = TH_PROTOCOL_VERSION;
    env->request_id = (char *)(request_id ? request_id : "");
}

void th_wire_set_error(th_envelope *env, Tonghop__Error *err, int code, const char *field, const char *detail,
                       const char *message)
{
    tonghop__error__init(err);
    err->has_code = 1;
    err->code = (Tonghop__Error__Code)code;
    err->field = (char *)field;
    err->detail = (char *)detail;
    err->message = (char *)message;
    err->has_retryable = 1;
    err->retryable = th_wire_error_retryable(code);
    env->body_case = TONGHOP__ENVELOPE__BODY_ERROR;
    env->error = err;
}

const char *th_wire_error_name(int code)
{
    const ProtobufCEnumValue *v =
        protobuf_c_enum_descriptor_get_value(&tonghop__error__code__descriptor, code);
    return v ? v->name : "CODE_UNSPECIFIED";
}

int th_wire_error_code(const char *name)
{
    if (!name) return 0;
    const ProtobufCEnumValue *v =
        protobuf_c_enum_descriptor_get_value_by_name(&tonghop__error__code__descriptor, name);
    return v ? v->value : 0;
}

int th_wire_error_retryable(int code)
{
    return code == TONGHOP__ERROR__CODE__UNAVAILABLE || code == TONGHOP__ERROR__CODE__INTERNAL ||
           code == TONGHOP__ERROR__CODE__BUSY;
}

th_wire_msg *th_wire_recv(void *zsock)
{
    th_wire_msg *m = NULL;
    zmq_msg_t part;
    for (;;) {
        zmq_msg_init(&part);
        if (zmq_msg_recv(&part, zsock, 0) < 0) {
            zmq_msg_close(&part);
            break;
        }
        int more = zmq_msg_more(&part);
        if (!more) m = th_wire_unpack(zmq_msg_data(&part), zmq_msg_size(&part));
        zmq_msg_close(&part);
        if (!more) break;
    }
    return m;
}
