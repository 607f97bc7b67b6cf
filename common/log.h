/* log.h -- timestamped log lines on stderr for the server and tools. */
#ifndef TH_LOG_H
#define TH_LOG_H

typedef enum { TH_LOG_DEBUG, TH_LOG_INFO, TH_LOG_WARN, TH_LOG_ERROR } th_log_level;

void th_log_set_level(th_log_level level);
void th_log(th_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define th_info(...) th_log(TH_LOG_INFO, __VA_ARGS__)
#define th_warn(...) th_log(TH_LOG_WARN, __VA_ARGS__)
#define th_error(...) th_log(TH_LOG_ERROR, __VA_ARGS__)
#define th_debug(...) th_log(TH_LOG_DEBUG, __VA_ARGS__)

#endif
