/* csv.h -- reading RFC 4180 CSV records (quotes, doubled quotes, CRLF).
 *
 * Used for the GSO unit list and for results files. A record is split in
 * place into at most TH_CSV_MAX_FIELDS fields; the reader tracks line
 * numbers so that errors can name them. */
#ifndef TH_CSV_H
#define TH_CSV_H

#include <stdio.h>

#define TH_CSV_MAX_FIELDS 32
#define TH_CSV_MAX_RECORD 8192

typedef struct th_csv {
    FILE *f;
    int line;      /* line where the last record started (1-based) */
    int next_line; /* line the next record starts on */
    char buf[TH_CSV_MAX_RECORD];
    char *fields[TH_CSV_MAX_FIELDS];
    int nfields;
} th_csv;

void th_csv_init(th_csv *c, FILE *f);

/* Reads the next record. Returns 1 with c->fields/nfields set, 0 at end of
 * file, -1 on a malformed record (unterminated quote, too long, too many
 * fields). Blank lines are skipped. A UTF-8 byte-order mark at the start of
 * the file is ignored; fields are trimmed of surrounding spaces unless quoted. */
int th_csv_next(th_csv *c);

#endif
