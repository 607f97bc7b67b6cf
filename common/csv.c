/* csv.c -- a small RFC 4180 reader. */
#include "csv.h"

#include <string.h>

void th_csv_init_ex(th_csv *c, FILE *f, char delim, int flags)
{
    memset(c, 0, sizeof *c);
    c->f = f;
    c->delim = delim;
    c->flags = flags;
    c->next_line = 1;
}

void th_csv_init(th_csv *c, FILE *f) { th_csv_init_ex(c, f, ',', 0); }

static char *trim(char *s, char *end)
{
    while (s < end && (*s == ' ' || *s == '\t'))
        s++;
    while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    *end = '\0';
    return s;
}

static int only_space(const char *s, const char *end)
{
    for (; s < end; s++)
        if (*s != ' ' && *s != '\t') return 0;
    return 1;
}

static int get(th_csv *c)
{
    int ch = fgetc(c->f);
    if (ch != EOF) c->pos++;
    return ch;
}

static void unget(th_csv *c, int ch)
{
    if (ch != EOF && ungetc(ch, c->f) != EOF) c->pos--;
}

static int fail(th_csv *c, th_csv_error e)
{
    c->error = e;
    c->end = c->pos;
    return -1;
}

int th_csv_next(th_csv *c)
{
    c->error = TH_CSV_OK;
    for (;;) {
        c->line = c->next_line;
        c->start = c->pos;
        c->nfields = 0;
        size_t len = 0;
        int ch, in_quotes = 0, quoted = 0, any = 0, comment = 0;
        char *field_start = c->buf;
        while ((ch = get(c)) != EOF) {
            if (c->pos == 1 && ch == 0xEF) {
                /* Byte-order mark at the start of the file: EF BB BF. */
                int b = get(c), d = get(c);
                if (b == 0xBB && d == 0xBF) {
                    c->start = c->pos;
                    continue;
                }
                return fail(c, TH_CSV_ERR_BOM);
            }
            any = 1;
            if ((c->flags & TH_CSV_COMMENTS) && ch == '#' && !quoted && c->nfields == 0 &&
                only_space(c->buf, c->buf + len)) {
                /* A comment: skipped to the end of the line, not parsed. */
                while ((ch = get(c)) != EOF && ch != '\n') {
                }
                comment = 1;
                break;
            }
            if (in_quotes) {
                if (ch == '"') {
                    int nx = get(c);
                    if (nx == '"') {
                        ch = '"';
                    } else {
                        in_quotes = 0;
                        unget(c, nx);
                        continue;
                    }
                } else if (ch == '\n') {
                    c->next_line++;
                }
            } else if (ch == '"' && !quoted && only_space(field_start, c->buf + len)) {
                in_quotes = 1;
                quoted = 1;
                field_start = c->buf + len; /* drop spaces before the quote */
                continue;
            } else if (ch == c->delim || ch == '\n') {
                if (c->nfields >= TH_CSV_MAX_FIELDS) return fail(c, TH_CSV_ERR_FIELDS);
                if (len + 1 >= sizeof c->buf) return fail(c, TH_CSV_ERR_LONG);
                char *end = c->buf + len;
                if (end > field_start && end[-1] == '\r' && ch == '\n') end--;
                c->buf[len++] = '\0';
                c->fields[c->nfields++] = quoted ? (*end = '\0', field_start) : trim(field_start, end);
                field_start = c->buf + len;
                quoted = 0;
                if (ch == '\n') {
                    c->next_line++;
                    break;
                }
                continue;
            }
            if (len + 2 >= sizeof c->buf) return fail(c, TH_CSV_ERR_LONG);
            c->buf[len++] = (char)ch;
        }
        if (comment) {
            if (ch == EOF) return 0;
            c->next_line++;
            continue;
        }
        if (in_quotes) return fail(c, TH_CSV_ERR_QUOTE);
        c->end = c->pos;
        if (ch == EOF) {
            if (!any) return 0;
            if (c->nfields >= TH_CSV_MAX_FIELDS) return fail(c, TH_CSV_ERR_FIELDS);
            if (len >= sizeof c->buf) return fail(c, TH_CSV_ERR_LONG);
            char *end = c->buf + len;
            if (end > field_start && end[-1] == '\r') end--;
            c->buf[len] = '\0';
            c->fields[c->nfields++] = quoted ? (*end = '\0', field_start) : trim(field_start, end);
        }
        /* Skip blank lines. */
        if (c->nfields == 1 && c->fields[0][0] == '\0') {
            if (ch == EOF) return 0;
            continue;
        }
        return 1;
    }
}
