/* cli.h -- what the command lines of tonghop and tonghopd share.
 *
 * Numbers and durations are read strictly: "30s" is thirty seconds, never
 * 30 ms, and "lots" is an error, never a default. The language option is
 * honoured before anything is printed, help included, and an unknown
 * language is an error. */
#ifndef TH_CLI_H
#define TH_CLI_H

#include <stddef.h>
#include <stdio.h>

/* A duration: digits with an optional unit, "ms" (the default), "s" or
 * "min": "1500", "500ms", "30s", "2min". Returns 0 with *ms set, or -1 when
 * the text is anything else or outside [min_ms, max_ms]. */
int th_cli_parse_duration_ms(const char *s, long min_ms, long max_ms, long *ms);

/* A whole number in [min, max], digits only. Returns 0 or -1. */
int th_cli_parse_count(const char *s, long min, long max, long *out);

/* True for a language tonghop speaks: "vi" or "en" (also "vi_VN",
 * "en_US.UTF-8" and the like). */
int th_cli_lang_known(const char *lang);

/* Looks for --lang X / --lang=X among the arguments (and TONGHOP_LANG)
 * before they are parsed, so that --help and the first error are already
 * in that language. Returns 1 when a language was chosen so, 0 when none
 * was given, or -1 with *bad pointing at an unknown language. */
int th_cli_early_lang(int argc, char **argv, const char **bad);

/* The next setting of a configuration file (tonghop's config.ini-like
 * file, tonghopd.conf): one "key = value" a line, blank lines skipped. A
 * comment starts with '#' at the start of a line or after a space or tab;
 * elsewhere '#' belongs to the value (a Z85 key, a password may hold one).
 * A byte-order mark on the first line (Notepad) is skipped. line (size
 * bytes) holds the text read; *lineno counts the lines. Returns 1 with *key
 * and *value trimmed (pointing into line), 0 at the end of the file, or -1
 * with the reason, naming the file and line, in err: a line too long, one
 * that is not "key = value", a read error. */
int th_cli_config_next(FILE *f, const char *name, char *line, size_t size, int *lineno, char **key,
                       char **value, char *err, size_t errlen);

/* Writes "PROGRAM VERSION" and the licence line to standard output. */
void th_cli_print_version(const char *program, const char *version);

#endif
