/* request.h -- one request to the server and the handling every command
 * shares: the envelope's header, delivery, and a refusal shown in the user's
 * language with the exit code it means. */
#ifndef TH_REQUEST_H
#define TH_REQUEST_H

#include "transport.h"
#include "wire.h"

/* Exit codes of the client, documented in the README. */
enum {
    TH_EXIT_OK = 0,          /* done (stored, or already stored: a duplicate) */
    TH_EXIT_FAILURE = 1,     /* local failure */
    TH_EXIT_USAGE = 2,       /* wrong command line */
    TH_EXIT_INPUT = 3,       /* the input file is wrong; nothing sent */
    TH_EXIT_REJECTED = 4,    /* the server refused; sending again will not help */
    TH_EXIT_UNREACHABLE = 5, /* no server answered, or it could not do it now: try later */
};

/* Fills env's header (version, a new request id, language), sends it and
 * waits. On TH_EXIT_OK, *reply holds the answer, which may be an Error (the
 * caller decides how to word it; see th_request_refused). Otherwise prints
 * why nothing came back and returns the exit code. */
int th_request(th_transport *t, th_envelope *env, th_wire_msg **reply);

/* th_request for a query that expects one kind of reply (a
 * TONGHOP__ENVELOPE__BODY_* value). On TH_EXIT_OK, *reply holds that
 * reply; a refusal is printed with th_request_refused(what), an unexpected
 * reply is reported, and the exit code is returned with *reply NULL. */
int th_request_expect(th_transport *t, th_envelope *env, int want_body, const char *what,
                      th_wire_msg **reply);

/* Prints "tonghop: <what>: <reason>" for an Error reply in the user's
 * language, with extra appended, and returns TH_EXIT_REJECTED or, for
 * errors worth retrying later, TH_EXIT_UNREACHABLE. */
int th_request_refused(const Tonghop__Error *e, const char *what, const char *extra);

#endif
