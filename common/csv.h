/* csv.h -- reading RFC 4180 CSV records (quotes, doubled quotes, CRLF).
 *
 * Used for the GSO unit list and for results files. A record is split in
 * place into at most TH_CSV_MAX_FIELDS fields; the reader tracks line
 * numbers so that errors can name them, and the byte offsets of each record
 * so that a caller can look at a line as it was written (results files
 * decide their separator from the header line). The separator is ',' unless
 * the caller chooses ';' (what Excel writes where the decimal mark is a
 * comma, as in Vietnam). */
#ifndef TH_CSV_H
#define TH_CSV_H

#include <stddef.h>
#include <stdio.h>

#define TH_CSV_MAX_FIELDS 64
#define TH_CSV_MAX_RECORD 8192

/* th_csv_init_ex flags. */
#define TH_CSV_COMMENTS 1 /* skip lines whose first character (after spaces) is an unquoted '#' */

/* Why th_csv_next returned -1. */
typedef enum th_csv_error {
    TH_CSV_OK = 0,
    TH_CSV_ERR_QUOTE,  /* a quoted field is not closed before the end of the file */
    TH_CSV_ERR_LONG,   /* a record longer than TH_CSV_MAX_RECORD */
    TH_CSV_ERR_FIELDS, /* more than TH_CSV_MAX_FIELDS fields */
    TH_CSV_ERR_BOM,    /* the file starts with a broken byte-order mark */
} th_csv_error;

typedef struct th_csv {
    FILE *f;
    char delim;    /* the field separator */
    int flags;     /* TH_CSV_* */
    int line;      /* line where the last record started (1-based) */
    int next_line; /* line the next record starts on */
    size_t pos;    /* bytes read from f so far */
    size_t start;  /* byte offset where the last record started (after any byte-order mark) */
    size_t end;    /* byte offset just past it, line end included */
    th_csv_error error;
    char buf[TH_CSV_MAX_RECORD];
    char *fields[TH_CSV_MAX_FIELDS];
    int nfields;
} th_csv;

/* A reader of f with ',' as the separator and no comment lines. */
void th_csv_init(th_csv *c, FILE *f);

/* A reader of f with the given separator (',' or ';'; '"' and line ends are
 * not allowed) and flags. */
void th_csv_init_ex(th_csv *c, FILE *f, char delim, int flags);

/* Reads the next record. Returns 1 with c->fields/nfields set, 0 at end of
 * file, -1 on a malformed record (c->error says why: unterminated quote, too
 * long, too many fields). Blank lines are skipped, and so are comment lines
 * with TH_CSV_COMMENTS (whatever they contain: a comment is not parsed). A
 * UTF-8 byte-order mark at the start of the file is ignored; fields are
 * trimmed of surrounding spaces unless quoted; a CR before a line's LF is
 * dropped. */
int th_csv_next(th_csv *c);

#endif
