/* deliver.h -- sending the spool's pending submissions, oldest first.
 *
 * Each submission leaves pending/ only on the server's word: an ack
 * (stored, or already stored) moves it to delivered/, a refusal that
 * sending again cannot cure moves it to rejected/ with the reason. When the
 * server does not answer, or answers "try later", delivery stops and the
 * rest stay queued for the next `tonghop sync`. */
#ifndef TH_DELIVER_H
#define TH_DELIVER_H

#include "spool.h"
#include "transport.h"

typedef struct th_deliver_stats {
    int delivered;  /* stored now */
    int duplicates; /* the server had them already */
    int rejected;
    int queued; /* still pending */
} th_deliver_stats;

/* The fate of one submission, as the exit code it gives (request.h). */
typedef struct th_deliver_target {
    const char *name; /* spool file name to report on */
    const int *lines; /* the results file's line per value, for refusals; may be NULL */
    size_t nlines;
    int fate; /* out: TH_EXIT_OK, TH_EXIT_REJECTED or TH_EXIT_UNREACHABLE */
} th_deliver_target;

/* Delivers what is pending. With target, prints only what concerns it;
 * without, prints a line per submission settled. */
void th_deliver_pending(th_transport *t, th_spool *s, th_deliver_target *target, th_deliver_stats *st);

#endif
