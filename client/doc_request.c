/* doc_request.c -- a query whose answer is one JSON document (see doc_request.h). */
#include "doc_request.h"

#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "json_pretty.h"

int th_doc_request_run(th_transport *t, th_envelope *env, int want_body, const char *what,
                       th_doc_request_text_fn text_of, int as_json, th_doc_request_print_fn print)
{
    th_wire_msg *reply = NULL;
    int rc = th_request_expect(t, env, want_body, what, &reply);
    if (rc != TH_EXIT_OK) return rc;
    const char *text = text_of(th_wire_msg_envelope(reply));
    json_object *doc = NULL;
    if (!text || th_json_pretty_check(text, strlen(text)) != 0 ||
        (!as_json && !(doc = json_tokener_parse(text)))) {
        fprintf(stderr, "%s\n", _("tonghop: the server sent an unexpected reply"));
        th_wire_msg_destroy(&reply);
        return TH_EXIT_FAILURE;
    }
    if (as_json) {
        if (th_json_pretty_write(stdout, text, strlen(text)) != 0 || fflush(stdout) != 0)
            rc = TH_EXIT_FAILURE;
    } else {
        print(doc);
        json_object_put(doc);
    }
    th_wire_msg_destroy(&reply);
    return rc;
}
