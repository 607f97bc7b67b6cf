/* request.c -- the shared request path of the client commands. */
#include "request.h"

#include <stdio.h>
#include <uuid/uuid.h>

#include "errtext.h"
#include "i18n.h"

int th_request(th_transport *t, th_envelope *env, th_wire_msg **reply)
{
    char rid[37], err[512];
    uuid_t u;
    uuid_generate(u);
    uuid_unparse_lower(u, rid);
    env->has_protocol_version = 1;
    env->protocol_version = TH_PROTOCOL_VERSION;
    env->request_id = rid;
    env->lang = (char *)th_i18n_lang();
    th_transport_status st = th_transport_request(t, env, reply, err, sizeof err);
    env->request_id = NULL;
    if (st == TH_TRANSPORT_OK) return TH_EXIT_OK;
    fprintf(stderr, _("tonghop: not delivered: %s\n"), err);
    return st == TH_TRANSPORT_FAILED ? TH_EXIT_FAILURE : TH_EXIT_UNREACHABLE;
}

int th_request_refused(const Tonghop__Error *e, const char *what, const char *extra)
{
    char text[1024];
    fprintf(stderr, "tonghop: %s: %s%s\n", what,
            th_errtext_format(e->code, e->field, e->detail, text, sizeof text), extra ? extra : "");
    return (e->has_retryable && e->retryable) ? TH_EXIT_UNREACHABLE : TH_EXIT_REJECTED;
}

int th_request_expect(th_transport *t, th_envelope *env, int want_body, const char *what, th_wire_msg **reply)
{
    int rc = th_request(t, env, reply);
    if (rc != TH_EXIT_OK) return rc;
    th_envelope *r = th_wire_msg_envelope(*reply);
    if ((int)r->body_case == want_body) return TH_EXIT_OK;
    if (r->body_case == TONGHOP__ENVELOPE__BODY_ERROR) {
        rc = th_request_refused(r->error, what, NULL);
    } else {
        fprintf(stderr, "%s\n", _("tonghop: the server sent an unexpected reply"));
        rc = TH_EXIT_FAILURE;
    }
    th_wire_msg_destroy(reply);
    return rc;
}
