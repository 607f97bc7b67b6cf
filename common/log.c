/* log.c -- one line per event: time, level, message (or JSON). */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static th_log_level min_level = TH_LOG_INFO;
static th_log_format format = TH_LOG_TEXT;
static const char *const level_names[] = {"debug", "info", "warn", "error"};

void th_log_set_level(th_log_level level) { min_level = level; }
void th_log_set_format(th_log_format f) { format = f; }

int th_log_parse_format(const char *name, th_log_format *out)
{
    if (!strcmp(name, "text"))
        *out = TH_LOG_TEXT;
    else if (!strcmp(name, "json"))
        *out = TH_LOG_JSON;
    else
        return -1;
    return 0;
}

static void timestamp(char *ts, size_t size)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    char base[32];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(ts, size, "%.24s.%03dZ", base, (int)(tv.tv_usec / 1000) % 1000);
}

/* s as a JSON string's content (quotes, backslashes and control
 * characters escaped), appended at *pos within buf. */
static void json_text(char *buf, size_t size, size_t *pos, const char *s)
{
    for (; *s && *pos + 8 < size; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            *pos += (size_t)snprintf(buf + *pos, size - *pos, "\\%c", c);
        else if (c < 0x20)
            *pos += (size_t)snprintf(buf + *pos, size - *pos, "\\u%04x", c);
        else
            buf[(*pos)++] = (char)c;
    }
    buf[*pos] = '\0';
}

static void append(char *buf, size_t size, size_t *pos, const char *s)
{
    int n = snprintf(buf + *pos, size - *pos, "%s", s);
    if (n > 0) *pos = *pos + (size_t)n < size ? *pos + (size_t)n : size - 1;
}

void th_log(th_log_level level, const char *fmt, ...)
{
    if (level < min_level) return;
    char ts[64], line[2048];
    timestamp(ts, sizeof ts);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (format == TH_LOG_JSON) {
        char out[4400];
        size_t pos = 0;
        append(out, sizeof out, &pos, "{\"ts\":\"");
        append(out, sizeof out, &pos, ts);
        append(out, sizeof out, &pos, "\",\"level\":\"");
        append(out, sizeof out, &pos, level_names[level]);
        append(out, sizeof out, &pos, "\",\"msg\":\"");
        json_text(out, sizeof out, &pos, line);
        append(out, sizeof out, &pos, "\"}");
        fprintf(stderr, "%s\n", out);
    } else {
        fprintf(stderr, "%s %s %s\n", ts, level_names[level], line);
    }
}

void th_log_event(th_log_level level, const char *event, const char *const *keys, const char *const *values,
                  size_t n)
{
    if (level < min_level) return;
    char ts[64], out[4096];
    size_t pos = 0;
    timestamp(ts, sizeof ts);
    if (format == TH_LOG_JSON) {
        append(out, sizeof out, &pos, "{\"ts\":\"");
        append(out, sizeof out, &pos, ts);
        append(out, sizeof out, &pos, "\",\"level\":\"");
        append(out, sizeof out, &pos, level_names[level]);
        append(out, sizeof out, &pos, "\",\"event\":\"");
        json_text(out, sizeof out, &pos, event);
        append(out, sizeof out, &pos, "\"");
        for (size_t i = 0; i < n; i++) {
            if (!values[i]) continue;
            int number = keys[i][0] == '#';
            append(out, sizeof out, &pos, ",\"");
            json_text(out, sizeof out, &pos, keys[i] + number);
            append(out, sizeof out, &pos, number ? "\":" : "\":\"");
            json_text(out, sizeof out, &pos, values[i]);
            if (!number) append(out, sizeof out, &pos, "\"");
        }
        append(out, sizeof out, &pos, "}");
        fprintf(stderr, "%s\n", out);
        return;
    }
    append(out, sizeof out, &pos, event);
    for (size_t i = 0; i < n; i++) {
        if (!values[i]) continue;
        const char *k = keys[i] + (keys[i][0] == '#');
        append(out, sizeof out, &pos, " ");
        append(out, sizeof out, &pos, k);
        append(out, sizeof out, &pos, "=");
        if (!*values[i] || strpbrk(values[i], " \"=\t\n")) {
            append(out, sizeof out, &pos, "\"");
            json_text(out, sizeof out, &pos, values[i]);
            append(out, sizeof out, &pos, "\"");
        } else {
            append(out, sizeof out, &pos, values[i]);
        }
    }
    fprintf(stderr, "%s %s %s\n", ts, level_names[level], out);
}
