/* doc_request.h -- a query whose answer is one JSON document, printed
 * either as it came (--json, indented) or in words.
 *
 * `tonghop due` and `tonghop review` ask the server for a document (th_due,
 * th_review) and print it; this is what they share: the request, the
 * refusal in the user's language, the check that the answer is JSON, and
 * the --json output (json_pretty.h: the text indented as it streams). */
#ifndef TH_DOC_REQUEST_H
#define TH_DOC_REQUEST_H

#include <json-c/json.h>

#include "request.h"

/* The document's text in a reply of the expected kind (may be NULL). */
typedef const char *(*th_doc_request_text_fn)(const th_envelope *reply);
/* Prints the parsed document in words. */
typedef void (*th_doc_request_print_fn)(json_object *doc);

/* Sends env (th_request_expect with want_body and what), then prints the
 * document text_of() finds in the reply: indented as it is when as_json,
 * else parsed and handed to print. Returns a TH_EXIT_* code; an answer
 * that is not JSON is TH_EXIT_FAILURE ("unexpected reply"). */
int th_doc_request_run(th_transport *t, th_envelope *env, int want_body, const char *what,
                       th_doc_request_text_fn text_of, int as_json, th_doc_request_print_fn print);

#endif
