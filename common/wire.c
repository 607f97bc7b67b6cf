/* wire.c -- envelope packing with size and memory budgets. */
#include "wire.h"

#include <stdlib.h>
#include <string.h>
#include <zmq.h>

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
    return code == TONGHOP__ERROR__CODE__UNAVAILABLE || code == TONGHOP__ERROR__CODE__INTERNAL;
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
