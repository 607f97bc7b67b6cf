/* csv.c -- a small RFC 4180 reader. */
#include "csv.h"

#include <string.h>

void th_csv_init(th_csv *c, FILE *f)
{
    memset(c, 0, sizeof *c);
    c->f = f;
    c->next_line = 1;
}

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

int th_csv_next(th_csv *c)
{
    for (;;) {
        c->line = c->next_line;
        c->nfields = 0;
        size_t len = 0;
        int ch, in_quotes = 0, quoted = 0, any = 0;
        char *field_start = c->buf;
        while ((ch = fgetc(c->f)) != EOF) {
            any = 1;
            if (c->line == 1 && len == 0 && c->nfields == 0 && ch == 0xEF) {
                /* Byte-order mark: EF BB BF. */
                int b = fgetc(c->f), d = fgetc(c->f);
                if (b == 0xBB && d == 0xBF) continue;
                return -1;
            }
            if (in_quotes) {
                if (ch == '"') {
                    int nx = fgetc(c->f);
                    if (nx == '"') {
                        ch = '"';
                    } else {
                        in_quotes = 0;
                        if (nx != EOF) ungetc(nx, c->f);
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
            } else if (ch == ',' || ch == '\n') {
                if (c->nfields >= TH_CSV_MAX_FIELDS || len + 1 >= sizeof c->buf) return -1;
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
            if (len + 2 >= sizeof c->buf) return -1;
            c->buf[len++] = (char)ch;
        }
        if (in_quotes) return -1;
        if (ch == EOF) {
            if (!any) return 0;
            if (c->nfields >= TH_CSV_MAX_FIELDS || len >= sizeof c->buf) return -1;
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
