/* cli.c -- strict numbers, durations and the language option. */
#include "cli.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"

static int parse_digits(const char *s, const char **end, long *out)
{
    if (!s || *s < '0' || *s > '9') return -1;
    long v = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        if (v > (__LONG_MAX__ - 9) / 10) return -1;
        v = v * 10 + (*s - '0');
    }
    *end = s;
    *out = v;
    return 0;
}

int th_cli_parse_duration_ms(const char *s, long min_ms, long max_ms, long *ms)
{
    const char *unit;
    long v;
    if (parse_digits(s, &unit, &v) != 0) return -1;
    long factor;
    if (!*unit || !strcmp(unit, "ms"))
        factor = 1;
    else if (!strcmp(unit, "s"))
        factor = 1000;
    else if (!strcmp(unit, "min"))
        factor = 60000;
    else
        return -1;
    if (v > max_ms / factor) return -1;
    v *= factor;
    if (v < min_ms || v > max_ms) return -1;
    *ms = v;
    return 0;
}

int th_cli_parse_count(const char *s, long min, long max, long *out)
{
    const char *end;
    long v;
    if (parse_digits(s, &end, &v) != 0 || *end || v < min || v > max) return -1;
    *out = v;
    return 0;
}

int th_cli_lang_known(const char *lang)
{
    if (!lang) return 0;
    size_t n = strcspn(lang, "_.@");
    return n == 2 && (!strncmp(lang, "vi", 2) || !strncmp(lang, "en", 2));
}

int th_cli_early_lang(int argc, char **argv, const char **bad)
{
    const char *lang = getenv("TONGHOP_LANG");
    if (lang && !*lang) lang = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--")) break;
        if (!strcmp(argv[i], "--lang") && i + 1 < argc)
            lang = argv[++i];
        else if (!strncmp(argv[i], "--lang=", 7))
            lang = argv[i] + 7;
    }
    if (!lang) return 0;
    if (!th_cli_lang_known(lang)) {
        *bad = lang;
        return -1;
    }
    th_i18n_set_lang(lang);
    return 1;
}

void th_cli_print_version(const char *program, const char *version)
{
    printf("%s %s\n", program, version);
    printf("%s\n", _("tonghop: consolidating the results of social-work programme plans."));
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

int th_cli_config_next(FILE *f, const char *name, char *line, size_t size, int *lineno, char **key,
                       char **value, char *err, size_t errlen)
{
    assert(size > 1);
    while (fgets(line, (int)size, f)) {
        ++*lineno;
        size_t len = strlen(line);
        if (len == size - 1 && line[len - 1] != '\n' && !feof(f)) {
            snprintf(err, errlen, _("%s, line %d: the line is too long"), name, *lineno);
            return -1;
        }
        char *s = line;
        if (*lineno == 1 && !strncmp(s, "\xEF\xBB\xBF", 3)) s += 3;
        for (char *h = s; (h = strchr(h, '#')); h++) {
            if (h == s || h[-1] == ' ' || h[-1] == '\t') {
                *h = '\0';
                break;
            }
        }
        s = trim(s);
        if (!*s) continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            snprintf(err, errlen, _("%s, line %d: expected \"key = value\""), name, *lineno);
            return -1;
        }
        *eq = '\0';
        *key = trim(s);
        *value = trim(eq + 1);
        return 1;
    }
    if (ferror(f)) {
        snprintf(err, errlen, "%s: %s", name, strerror(errno));
        return -1;
    }
    return 0;
}
