/* deliver.c -- the spool's pending submissions to the server. */
#include "deliver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

#include "errtext.h"
#include "i18n.h"
#include "report_format.h"
#include "request.h"

typedef enum { SENT_SETTLED, SENT_STOP } sent;

/* Points at the file line of a "values[i]..." field, if there is one. */
static void line_hint(const th_deliver_target *tg, const char *field, char *buf, size_t size)
{
    unsigned idx;
    buf[0] = '\0';
    if (tg && tg->lines && field && sscanf(field, "values[%u]", &idx) == 1 && idx < tg->nlines)
        snprintf(buf, size, _(" (line %d of the file)"), tg->lines[idx]);
}

/* The target was settled by another process sharing the spool (its sync
 * or submit sent it): reports what the spool recorded, as if sent here.
 * Returns 1 when it was settled, 0 while it is still pending. */
static int settled_elsewhere(th_spool *s, th_deliver_target *tg)
{
    int where = th_spool_whereis(s, tg->name);
    if (where != TH_SPOOL_DELIVERED && where != TH_SPOOL_REJECTED) return 0;
    char note[512], what[128], hint[64];
    th_spool_note(s, (th_spool_state)where, tg->name, note, sizeof note);
    Tonghop__Submission *sub = NULL;
    th_spool_load_status ls = th_spool_load(s, (th_spool_state)where, tg->name, &sub);
    if (where == TH_SPOOL_DELIVERED) {
        tg->fate = TH_EXIT_OK;
        unsigned stored = 0, superseded = 0;
        long long at = 0;
        char kind[16] = "";
        sscanf(note, "%15[^\t]\t%lld\t%u\t%u", kind, &at, &stored, &superseded);
        if (sub && !strcmp(kind, "duplicate"))
            printf(_("Already stored earlier: submission %s (%u value(s)); nothing changed.\n"),
                   sub->submission_id, stored);
        else if (sub)
            printf(_("Stored: submission %s, unit %s, period %s, %u value(s), %u replacing earlier ones.\n"),
                   sub->submission_id, sub->unit_code, sub->period, stored, superseded);
    } else if (ls != TH_SPOOL_LOADED || !strncmp(note, "DAMAGED\t", 8) || !strncmp(note, "CORRUPT\t", 8)) {
        tg->fate = TH_EXIT_FAILURE;
        if (!strncmp(note, "CORRUPT\t", 8))
            fprintf(stderr, _("tonghop: %s: unreadable spool file, set aside\n"), tg->name);
        else
            fprintf(stderr,
                    _("tonghop: %s: damaged spool file (its checksum does not match), set aside; nothing of "
                      "it was sent\n"),
                    tg->name);
    } else {
        /* "CODE\tfield\tdetail", as deliver_one wrote it. */
        char *field = strchr(note, '\t'), *detail = NULL;
        if (field) *field++ = '\0';
        if (field && (detail = strchr(field, '\t'))) *detail++ = '\0';
        Tonghop__Error e;
        tonghop__error__init(&e);
        e.has_code = 1;
        e.code = (Tonghop__Error__Code)th_wire_error_code(note);
        e.field = field && *field ? field : NULL;
        e.detail = detail && *detail ? detail : NULL;
        line_hint(tg, e.field, hint, sizeof hint);
        snprintf(what, sizeof what, _("the server refused submission %s"), sub->submission_id);
        th_request_refused(&e, what, hint);
        tg->fate = TH_EXIT_REJECTED;
    }
    if (sub) tonghop__submission__free_unpacked(sub, NULL);
    return 1;
}

/* Whether a refusal is about the submission itself (its data, its unit,
 * its period...), so that sending it again would be refused again: it
 * leaves the queue, under rejected/. A refusal of the request as such
 * (a protocol version or request type this server does not speak, after
 * an upgrade or a downgrade; a code this client does not know) or one
 * worth trying again later keeps it queued, and the queue stops there. */
static int about_the_data(const Tonghop__Error *e)
{
    if ((e->has_retryable && e->retryable) || th_wire_error_retryable(e->code)) return 0;
    if (!protobuf_c_enum_descriptor_get_value(&tonghop__error__code__descriptor, e->code)) return 0;
    return e->code != TONGHOP__ERROR__CODE__CODE_UNSPECIFIED &&
           e->code != TONGHOP__ERROR__CODE__UNSUPPORTED_VERSION &&
           e->code != TONGHOP__ERROR__CODE__UNSUPPORTED;
}

static sent deliver_one(th_transport *t, th_spool *s, const char *name, th_deliver_target *tg, int quiet,
                        th_deliver_stats *st, char *err, size_t errlen)
{
    Tonghop__Submission *sub = NULL;
    switch (th_spool_load(s, TH_SPOOL_PENDING, name, &sub)) {
    case TH_SPOOL_LOADED: break;
    case TH_SPOOL_GONE: /* settled by another process meanwhile */
        if (tg && !strcmp(tg->name, name)) settled_elsewhere(s, tg);
        return SENT_SETTLED;
    case TH_SPOOL_IOERROR:
        snprintf(err, errlen, _("%s: cannot read the spool file now"), name);
        return SENT_STOP;
    case TH_SPOOL_CORRUPT:
        /* A file that is not a submission will never be delivered: set it
         * aside (it stays on disk, under rejected/). */
        th_spool_settle(s, name, TH_SPOOL_REJECTED, TH_SPOOL_NOTE_CORRUPT);
        st->rejected++;
        fprintf(stderr, _("tonghop: %s: unreadable spool file, set aside\n"), name);
        if (tg && !strcmp(tg->name, name)) tg->fate = TH_EXIT_FAILURE;
        return SENT_SETTLED;
    case TH_SPOOL_DAMAGED:
        /* Its checksum does not match: some of its bytes changed on disk.
         * None of it is sent (a changed number could still look valid); it
         * is set aside whole, under rejected/. */
        th_spool_settle(s, name, TH_SPOOL_REJECTED, TH_SPOOL_NOTE_DAMAGED);
        st->rejected++;
        fprintf(stderr,
                _("tonghop: %s: damaged spool file (its checksum does not match), set aside; nothing of it "
                  "was sent\n"),
                name);
        if (tg && !strcmp(tg->name, name)) tg->fate = TH_EXIT_FAILURE;
        return SENT_SETTLED;
    }
    char rid[37];
    uuid_t u;
    uuid_generate(u);
    uuid_unparse_lower(u, rid);
    th_envelope env;
    tonghop__envelope__init(&env);
    env.has_protocol_version = 1;
    env.protocol_version = TH_PROTOCOL_VERSION;
    env.request_id = rid;
    env.lang = (char *)th_i18n_lang();
    env.body_case = TONGHOP__ENVELOPE__BODY_SUBMISSION;
    env.submission = sub;
    th_wire_msg *reply = NULL;
    sent result = SENT_STOP;
    th_transport_status ts = th_transport_request(t, &env, &reply, err, errlen);
    th_envelope *r = th_wire_msg_envelope(reply);
    char note[512], hint[64], what[128];
    if (ts != TH_TRANSPORT_OK) {
        /* err says why; the caller reports it. */
    } else if (r->body_case == TONGHOP__ENVELOPE__BODY_ACK && r->ack->submission_id &&
               !strcmp(r->ack->submission_id, sub->submission_id)) {
        const Tonghop__Ack *ack = r->ack;
        int dup = ack->outcome == TONGHOP__ACK__OUTCOME__DUPLICATE;
        snprintf(note, sizeof note, "%s\t%lld\t%u\t%u\n", dup ? "duplicate" : "stored",
                 (long long)ack->stored_at, ack->stored_values, ack->superseded_values);
        if (th_spool_settle(s, name, TH_SPOOL_DELIVERED, note) != 0)
            fprintf(stderr, _("tonghop: %s: delivered, but the spool could not record it\n"), name);
        dup ? st->duplicates++ : st->delivered++;
        if (!quiet) {
            if (dup)
                printf(_("Already stored earlier: submission %s (%u value(s)); nothing changed.\n"),
                       sub->submission_id, ack->stored_values);
            else
                printf(
                    _("Stored: submission %s, unit %s, period %s, %u value(s), %u replacing earlier ones.\n"),
                    sub->submission_id, sub->unit_code, sub->period, ack->stored_values,
                    ack->superseded_values);
            if (ack->has_late && ack->late && ack->deadline) {
                char db[32];
                printf(_("Received, late: the deadline was %s.\n"),
                       th_report_vn_date(ack->deadline, db, sizeof db));
            }
        }
        if (tg && !strcmp(tg->name, name)) tg->fate = TH_EXIT_OK;
        result = SENT_SETTLED;
    } else if (r->body_case == TONGHOP__ENVELOPE__BODY_ERROR && about_the_data(r->error)) {
        const Tonghop__Error *e = r->error;
        snprintf(note, sizeof note, "%s\t%s\t%s\n", th_wire_error_name(e->code), e->field ? e->field : "",
                 e->detail ? e->detail : "");
        th_spool_settle(s, name, TH_SPOOL_REJECTED, note);
        st->rejected++;
        int mine = tg && !strcmp(tg->name, name);
        /* (Shown even for a submission queued earlier than the one sent
         * now: it leaves the queue, and the user must know why.) */
        line_hint(mine ? tg : NULL, e->field, hint, sizeof hint);
        snprintf(what, sizeof what, _("the server refused submission %s"), sub->submission_id);
        th_request_refused(e, what, hint);
        if (mine) tg->fate = TH_EXIT_REJECTED;
        result = SENT_SETTLED;
    } else if (r->body_case == TONGHOP__ENVELOPE__BODY_ERROR) {
        char text[512];
        snprintf(err, errlen, "%s",
                 th_errtext_format(r->error->code, r->error->field, r->error->detail, text, sizeof text));
    } else {
        snprintf(err, errlen, "%s", _("the server sent an unexpected reply"));
    }
    th_wire_msg_destroy(&reply);
    tonghop__submission__free_unpacked(sub, NULL);
    return result;
}

/* How long a submit waits for another process's delivery to finish before
 * leaving its own submission queued. */
#define LOCK_WAIT_MS 60000

void th_deliver_pending(th_transport *t, th_spool *s, th_deliver_target *target, th_deliver_stats *st)
{
    memset(st, 0, sizeof *st);
    if (target) target->fate = TH_EXIT_UNREACHABLE;
    char **names;
    size_t n;
    /* One sender at a time: the list is taken under the lock, so another
     * process's submissions are either sent by it or listed here. A submit
     * waits for the lock a bounded time, and meanwhile the holder may send
     * its submission: then it reports what the spool recorded. */
    if (target) {
        int waited = 0, rc;
        while ((rc = th_spool_lock_wait(s, 250)) == 1) {
            if (settled_elsewhere(s, target)) return;
            if ((waited += 250) >= LOCK_WAIT_MS) {
                fprintf(stderr, "%s\n",
                        _("tonghop: another tonghop is still sending this spool's submissions; yours stays "
                          "queued"));
                return;
            }
        }
        if (rc != 0) {
            fprintf(stderr, "%s\n", _("tonghop: cannot read the spool"));
            return;
        }
        if (settled_elsewhere(s, target)) {
            th_spool_unlock(s);
            return;
        }
    }
    /* (sync: another tonghop holding the lock, perhaps stopped with
     * Ctrl-Z, must not hold this one forever.) */
    int lrc = th_spool_lock_wait(s, LOCK_WAIT_MS);
    if (lrc == 1) {
        fprintf(stderr, "%s\n",
                _("tonghop: another tonghop is still sending this spool's submissions; try again later"));
        return;
    }
    if (lrc != 0 || th_spool_list(s, TH_SPOOL_PENDING, &names, &n) != 0) {
        fprintf(stderr, "%s\n", _("tonghop: cannot read the spool"));
        th_spool_unlock(s);
        return;
    }
    char err[512] = "";
    size_t i;
    for (i = 0; i < n; i++) {
        int quiet = target && strcmp(target->name, names[i]) != 0;
        if (deliver_one(t, s, names[i], target, quiet, st, err, sizeof err) == SENT_STOP) break;
    }
    st->queued = (int)(n - i);
    /* Not listed: settled by another process before the lock was ours. */
    if (target && target->fate == TH_EXIT_UNREACHABLE) settled_elsewhere(s, target);
    if (st->queued) {
        fprintf(stderr, _("tonghop: not delivered now: %s\n"), err);
        fprintf(stderr, _("tonghop: %d submission(s) queued; they will be sent by `tonghop sync`.\n"),
                st->queued);
    }
    th_spool_names_free(names, n);
    th_spool_unlock(s);
}
