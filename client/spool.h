/* spool.h -- the client's durable queue of submissions.
 *
 * A submission is written to the spool, and fsync'd, before it is first
 * sent; it leaves the queue only when the server has answered for it. The
 * spool is a directory:
 *
 *   pending/<seq>-<uuid>.sub     waiting to be delivered: "THSPOOL1", the
 *                                CRC-32 of the rest (4 bytes, little-endian),
 *                                the packed Submission
 *   delivered/<seq>-<uuid>.sub   acknowledged; .ack beside it says when
 *   rejected/<seq>-<uuid>.sub    refused by the server; .why says why
 *   seq                          the last sequence number given out
 *
 * <seq> counts up in the order the submissions were made (not from the
 * clock, which can be set back), so names sort in that order and a
 * correction is never delivered before what it corrects. Files are written
 * to a temporary name, fsync'd, renamed, and the directory fsync'd: a crash
 * leaves either the whole file or none; the checksum catches what the disk
 * damages later, and a damaged file is set aside whole, never sent. Files
 * written before checksums (a bare packed Submission) are still read, as
 * before. Two client processes may share a spool: adding and delivering
 * each take a lock. */
#ifndef TH_SPOOL_H
#define TH_SPOOL_H

#include <stddef.h>

#include "wire.h"

typedef struct th_spool th_spool;

typedef enum { TH_SPOOL_PENDING, TH_SPOOL_DELIVERED, TH_SPOOL_REJECTED } th_spool_state;

/* Opens (creating as needed) the spool at dir. NULL with err on failure. */
th_spool *th_spool_open(const char *dir, char *err, size_t errlen);
void th_spool_close(th_spool **s);

/* The default directory: $TONGHOP_SPOOL, else $XDG_DATA_HOME/tonghop/spool,
 * else ~/.local/share/tonghop/spool. Written into buf. */
const char *th_spool_default_dir(char *buf, size_t size);

/* Adds a submission to pending/ durably. name (at least 96 bytes) gets its
 * file name. Returns 0, or -1 with err. */
int th_spool_add(th_spool *s, const Tonghop__Submission *sub, char *name, size_t namelen, char *err,
                 size_t errlen);

/* The file names in a state's directory, sorted (oldest first). The caller
 * frees with th_spool_names_free. Returns 0 or -1. */
int th_spool_list(th_spool *s, th_spool_state state, char ***names, size_t *n);
void th_spool_names_free(char **names, size_t n);

typedef enum {
    TH_SPOOL_LOADED,  /* *sub is set */
    TH_SPOOL_GONE,    /* another process moved it meanwhile */
    TH_SPOOL_CORRUPT, /* the file cannot be a submission: set it aside */
    TH_SPOOL_DAMAGED, /* its checksum does not match: set it aside, unsent */
    TH_SPOOL_IOERROR, /* could not read it now: leave it queued */
} th_spool_load_status;

/* Reads a spooled submission; on TH_SPOOL_LOADED *sub is the unpacked
 * message (free with tonghop__submission__free_unpacked(m, NULL)). */
th_spool_load_status th_spool_load(th_spool *s, th_spool_state state, const char *name,
                                   Tonghop__Submission **sub);

/* Holds the spool's delivery lock until th_spool_unlock (one process at a
 * time sends the queue), waiting at most timeout_ms: 0 when held, 1 when
 * another process still holds it, -1 on error. */
int th_spool_lock_wait(th_spool *s, int timeout_ms);

/* Where a submission's file now is: TH_SPOOL_DELIVERED or TH_SPOOL_REJECTED
 * once settled (by this process or another), TH_SPOOL_PENDING while it
 * waits, -1 if it is nowhere. */
int th_spool_whereis(th_spool *s, const char *name);
void th_spool_unlock(th_spool *s);

/* Moves a pending submission to delivered/ (note: a line for .ack) or
 * rejected/ (note: the reason, for .why). Returns 0 or -1. A file already
 * moved by another process is not an error. */
int th_spool_settle(th_spool *s, const char *name, th_spool_state to, const char *note);

/* The notes of files set aside without being sent (rejected/x.why). */
#define TH_SPOOL_NOTE_CORRUPT "CORRUPT\t\tunreadable spool file\n"
#define TH_SPOOL_NOTE_DAMAGED "DAMAGED\t\tdamaged spool file: its checksum does not match\n"

/* The note written by th_spool_settle, into buf ("" if none). */
const char *th_spool_note(th_spool *s, th_spool_state state, const char *name, char *buf, size_t size);

#endif
