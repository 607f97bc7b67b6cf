/* log.h -- log lines on stderr (journald takes them as they come) for the
 * server and tools: time, level, message; or, with th_log_set_format(
 * TH_LOG_JSON), one JSON object per line ({"ts", "level", "msg"}, or the
 * fields of a structured event). */
#ifndef TH_LOG_H
#define TH_LOG_H

#include <stddef.h>

typedef enum { TH_LOG_DEBUG, TH_LOG_INFO, TH_LOG_WARN, TH_LOG_ERROR } th_log_level;
typedef enum { TH_LOG_TEXT = 0, TH_LOG_JSON = 1 } th_log_format;

void th_log_set_level(th_log_level level);
void th_log_set_format(th_log_format format);
/* "text" or "json" into *out; -1 for anything else. */
int th_log_parse_format(const char *name, th_log_format *out);
void th_log(th_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One structured event: "event key=value key=value" (values with spaces or
 * quotes are quoted) or, in JSON, {"ts", "level", "event", key: value...}.
 * A value NULL is left out; keys[i] starting with '#' is a number (written
 * unquoted in JSON, the '#' dropped). */
void th_log_event(th_log_level level, const char *event, const char *const *keys, const char *const *values,
                  size_t n);

#define th_info(...) th_log(TH_LOG_INFO, __VA_ARGS__)
#define th_warn(...) th_log(TH_LOG_WARN, __VA_ARGS__)
#define th_error(...) th_log(TH_LOG_ERROR, __VA_ARGS__)
#define th_debug(...) th_log(TH_LOG_DEBUG, __VA_ARGS__)

#endif
