/* catalogue_cmd.c -- publishing the indicator catalogue file. */
#include "catalogue_cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalogue_file.h"
#include "errtext.h"
#include "i18n.h"
#include "request.h"

/* A refusal of the file's revision number: the server says which revision
 * it has (OLD_REVISION: detail is its latest) or which one may come next
 * (INVALID_VALUE on "revision": detail is latest + 1). Prints what to do
 * and returns 1; returns 0 for any other refusal. */
static int refused_revision(const Tonghop__Error *e, const char *path)
{
    if (!e->field || strcmp(e->field, "revision") != 0 || !e->detail) return 0;
    char *end;
    long n = strtol(e->detail, &end, 10);
    if (*end || n < 1 || n > TH_CATALOGUE_MAX_REVISION) return 0;
    long latest;
    if (e->code == TONGHOP__ERROR__CODE__OLD_REVISION)
        latest = n;
    else if (e->code == TONGHOP__ERROR__CODE__INVALID_VALUE)
        latest = n - 1;
    else
        return 0;
    fprintf(stderr,
            _("tonghop: %s: the server refused the catalogue: it already has revision %ld, so this file must "
              "be revision %ld (\"revision\": %ld)\n"),
            path, latest, latest + 1, latest + 1);
    return 1;
}

int th_catalogue_cmd_publish(th_transport *tc, const char *path)
{
    th_catalogue_info info;
    th_verr verr;
    char *normalized = NULL, text[1024];
    if (th_catalogue_file_check_path(path, &info, &normalized, &verr) != 0) {
        fprintf(stderr, _("tonghop: %s: not sent: %s\n"), path,
                th_errtext_format(verr.code, verr.field, verr.detail, text, sizeof text));
        return TH_EXIT_INPUT;
    }
    Tonghop__CataloguePublish p = TONGHOP__CATALOGUE_PUBLISH__INIT;
    p.catalogue_json = normalized;
    th_envelope env;
    tonghop__envelope__init(&env);
    env.body_case = TONGHOP__ENVELOPE__BODY_CATALOGUE_PUBLISH;
    env.catalogue_publish = &p;
    th_wire_msg *reply = NULL;
    int rc = th_request(tc, &env, &reply);
    free(normalized);
    if (rc != TH_EXIT_OK) return rc;
    const th_envelope *r = th_wire_msg_envelope(reply);
    if (r->body_case == TONGHOP__ENVELOPE__BODY_ERROR) {
        if (refused_revision(r->error, path)) {
            rc = TH_EXIT_REJECTED;
        } else {
            char what[256];
            snprintf(what, sizeof what, _("%s: the server refused the catalogue"), path);
            rc = th_request_refused(r->error, what, NULL);
        }
    } else if (r->body_case != TONGHOP__ENVELOPE__BODY_ACK) {
        fprintf(stderr, "%s\n", _("tonghop: the server sent an unexpected reply"));
        rc = TH_EXIT_FAILURE;
    } else if (r->ack->outcome == TONGHOP__ACK__OUTCOME__DUPLICATE) {
        printf(_("Catalogue revision %u is already stored; nothing changed.\n"), r->ack->catalogue_revision);
    } else {
        printf(_("Catalogue revision %u stored: %u indicator(s) added, %u changed.\n"),
               r->ack->catalogue_revision, r->ack->indicators_added, r->ack->indicators_changed);
    }
    th_wire_msg_destroy(&reply);
    return rc;
}
