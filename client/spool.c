/* spool.c -- durable files for queued submissions. */
#include "spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *const state_dirs[] = {"pending", "delivered", "rejected"};

/* A spool file is SPOOL_MAGIC, the CRC-32 of the packed Submission (4
 * bytes, little-endian), then the packed Submission itself. */
#define SPOOL_MAGIC "THSPOOL1"
#define SPOOL_MAGIC_LEN 8
#define SPOOL_HEADER_LEN (SPOOL_MAGIC_LEN + 4)

/* CRC-32 (IEEE 802.3, as zlib's crc32 and `gzip` compute it), bit by bit:
 * spool files are small and read once per delivery. */
static uint32_t crc32_of(const uint8_t *p, size_t len)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < len; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return c ^ 0xFFFFFFFFu;
}

struct th_spool {
    char dir[1024];
    int lock_fd; /* delivery lock, -1 when not held */
};

const char *th_spool_default_dir(char *buf, size_t size)
{
    const char *env = getenv("TONGHOP_SPOOL"), *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
    if (env && *env)
        snprintf(buf, size, "%s", env);
    else if (xdg && *xdg)
        snprintf(buf, size, "%s/tonghop/spool", xdg);
    else
        snprintf(buf, size, "%s/.local/share/tonghop/spool", home && *home ? home : ".");
    return buf;
}

static int fsync_dir(const char *path);

/* Creates path's last component if missing; a new directory is made
 * durable in its parent (else a power cut could take it, and the first
 * submission queued in it, away). */
static int make_dir(char *path)
{
    if (mkdir(path, 0700) != 0) return errno == EEXIST ? 0 : -1;
    char *slash = strrchr(path, '/');
    if (!slash || slash == path) return fsync_dir(slash ? "/" : ".");
    *slash = '\0';
    int rc = fsync_dir(path);
    *slash = '/';
    return rc;
}

/* mkdir -p */
static int make_dirs(const char *path)
{
    char tmp[1200];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (make_dir(tmp) != 0) return -1;
        *p = '/';
    }
    return make_dir(tmp);
}

static int fsync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY);
    if (fd < 0) return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

th_spool *th_spool_open(const char *dir, char *err, size_t errlen)
{
    th_spool *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    snprintf(s->dir, sizeof s->dir, "%s", dir);
    s->lock_fd = -1;
    for (int i = 0; i < 3; i++) {
        char p[1100];
        snprintf(p, sizeof p, "%s/%s", dir, state_dirs[i]);
        if (make_dirs(p) != 0) {
            snprintf(err, errlen, "%s: %s", p, strerror(errno));
            free(s);
            return NULL;
        }
    }
    return s;
}

void th_spool_close(th_spool **s)
{
    if (!s || !*s) return;
    th_spool_unlock(*s);
    free(*s);
    *s = NULL;
}

/* Writes data to dir/name through a temporary file, durably. Returns -1
 * when it could not be made durable; then, with undo, the file is not
 * left in place either (a submission said "not saved" must not be sent
 * later). */
static int write_durable(const char *dir, const char *name, const void *data, size_t len, int undo)
{
    char tmp[1200], final[1200];
    snprintf(tmp, sizeof tmp, "%s/.tmp-%s", dir, name);
    snprintf(final, sizeof final, "%s/%s", dir, name);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) return -1;
    const char *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            close(fd);
            unlink(tmp);
            return -1;
        }
        p += w;
        left -= (size_t)w;
    }
    int ok = fsync(fd) == 0;
    int e = errno;
    ok = close(fd) == 0 && ok;
    if (ok && rename(tmp, final) != 0) {
        e = errno;
        ok = 0;
    }
    if (!ok) {
        unlink(tmp);
        errno = e;
        return -1;
    }
    if (fsync_dir(dir) == 0) return 0;
    e = errno;
    if (undo && unlink(final) == 0) fsync_dir(dir);
    errno = e;
    return -1;
}

/* Opens (creating) and flocks a lock file in the spool; returns its fd. */
static int lock_file(th_spool *s, const char *name)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/%s", s->dir, name);
    int fd = open(path, O_RDWR | O_CREAT, 0600);
    if (fd < 0) return -1;
    while (flock(fd, LOCK_EX) != 0) {
        if (errno != EINTR) {
            close(fd);
            return -1;
        }
    }
    return fd;
}

int th_spool_lock_wait(th_spool *s, int timeout_ms)
{
    if (s->lock_fd >= 0) return 0;
    char path[1100];
    snprintf(path, sizeof path, "%s/deliver.lock", s->dir);
    int fd = open(path, O_RDWR | O_CREAT, 0600);
    if (fd < 0) return -1;
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    long pause_ms = 10;
    for (;;) {
        if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
            s->lock_fd = fd;
            return 0;
        }
        if (errno != EWOULDBLOCK && errno != EINTR) {
            close(fd);
            return -1;
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
        long waited = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
        if (waited >= timeout_ms) {
            close(fd);
            return 1;
        }
        struct timespec ts = {0, (pause_ms < timeout_ms - waited ? pause_ms : timeout_ms - waited) * 1000000};
        nanosleep(&ts, NULL);
        if (pause_ms < 200) pause_ms *= 2;
    }
}

int th_spool_whereis(th_spool *s, const char *name)
{
    /* Settling renames pending -> delivered|rejected: looking at pending
     * last, a file being moved meanwhile is still found. */
    static const th_spool_state order[] = {TH_SPOOL_DELIVERED, TH_SPOOL_REJECTED, TH_SPOOL_PENDING};
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < 3; i++) {
            char path[1200];
            snprintf(path, sizeof path, "%s/%s/%s", s->dir, state_dirs[order[i]], name);
            if (access(path, F_OK) == 0) return (int)order[i];
        }
    }
    return -1;
}

void th_spool_unlock(th_spool *s)
{
    if (s->lock_fd >= 0) close(s->lock_fd); /* releases the flock */
    s->lock_fd = -1;
}

/* The highest sequence number in the names under pending/, delivered/ and
 * rejected/ (0 when none), or -1 when one of them cannot be read. */
static long long highest_seq(th_spool *s)
{
    long long top = 0;
    for (int st = TH_SPOOL_PENDING; st <= TH_SPOOL_REJECTED; st++) {
        char **names;
        size_t n;
        if (th_spool_list(s, (th_spool_state)st, &names, &n) != 0) {
            if (errno == ENOENT) continue;
            return -1;
        }
        for (size_t i = 0; i < n; i++) {
            long long v = atoll(names[i]);
            if (v > top) top = v;
        }
        th_spool_names_free(names, n);
    }
    return top;
}

/* The next sequence number, durably: read, add one, write back, under the
 * add lock. Returns -1 on failure (also when seq exists and cannot be
 * read: numbering again from 1 would send a correction before what it
 * corrects). */
static long long next_seq(th_spool *s)
{
    int fd = lock_file(s, "seq.lock");
    if (fd < 0) return -1;
    char path[1100], buf[32] = "";
    snprintf(path, sizeof path, "%s/seq", s->dir);
    FILE *f = fopen(path, "r");
    int bad = !f && errno != ENOENT;
    if (f) {
        if (!fgets(buf, sizeof buf, f)) buf[0] = '\0';
        bad = ferror(f);
        fclose(f);
    }
    long long seq = bad ? -1 : atoll(buf);
    /* Missing (a spool restored without it), empty or garbled: after every
     * number already used, so that a correction still sorts after what it
     * corrects. */
    if (!bad && seq <= 0) seq = highest_seq(s);
    if (seq < 0) {
        close(fd);
        return -1;
    }
    seq++;
    snprintf(buf, sizeof buf, "%lld\n", seq);
    if (write_durable(s->dir, "seq", buf, strlen(buf), 0) != 0) seq = -1;
    close(fd);
    return seq;
}

int th_spool_add(th_spool *s, const Tonghop__Submission *sub, char *name, size_t namelen, char *err,
                 size_t errlen)
{
    long long seq = next_seq(s);
    if (seq < 0) {
        snprintf(err, errlen, "%s/seq: %s", s->dir, strerror(errno));
        return -1;
    }
    snprintf(name, namelen, "%016lld-%s.sub", seq, sub->submission_id);
    size_t body = tonghop__submission__get_packed_size(sub), len = SPOOL_HEADER_LEN + body;
    uint8_t *buf = malloc(len);
    if (!buf) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    tonghop__submission__pack(sub, buf + SPOOL_HEADER_LEN);
    uint32_t crc = crc32_of(buf + SPOOL_HEADER_LEN, body);
    memcpy(buf, SPOOL_MAGIC, SPOOL_MAGIC_LEN);
    for (int i = 0; i < 4; i++)
        buf[SPOOL_MAGIC_LEN + i] = (uint8_t)(crc >> (8 * i));
    char dir[1100];
    snprintf(dir, sizeof dir, "%s/pending", s->dir);
    int rc = write_durable(dir, name, buf, len, 1);
    if (rc != 0) snprintf(err, errlen, "%s/%s: %s", dir, name, strerror(errno));
    free(buf);
    return rc;
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int th_spool_list(th_spool *s, th_spool_state state, char ***names, size_t *n)
{
    char dir[1100];
    snprintf(dir, sizeof dir, "%s/%s", s->dir, state_dirs[state]);
    *names = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d) return -1;
    size_t cap = 0;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || len < 5 || strcmp(e->d_name + len - 4, ".sub") != 0) continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            char **nn = realloc(*names, cap * sizeof *nn);
            if (!nn) {
                rc = -1;
                break;
            }
            *names = nn;
        }
        if (!((*names)[*n] = strdup(e->d_name))) {
            rc = -1;
            break;
        }
        (*n)++;
    }
    closedir(d);
    if (rc != 0) {
        th_spool_names_free(*names, *n);
        *names = NULL;
        *n = 0;
        return -1;
    }
    if (*n) qsort(*names, *n, sizeof **names, by_name);
    return 0;
}

void th_spool_names_free(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

th_spool_load_status th_spool_load(th_spool *s, th_spool_state state, const char *name,
                                   Tonghop__Submission **sub)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s/%s", s->dir, state_dirs[state], name);
    *sub = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return errno == ENOENT ? TH_SPOOL_GONE : TH_SPOOL_IOERROR;
    struct stat st;
    if (fstat(fileno(f), &st) != 0) {
        fclose(f);
        return TH_SPOOL_IOERROR;
    }
    if (st.st_size <= 0 || st.st_size > TH_WIRE_MAX_BYTES) {
        fclose(f);
        return TH_SPOOL_CORRUPT;
    }
    size_t len = (size_t)st.st_size;
    uint8_t *buf = malloc(len);
    if (!buf) {
        fclose(f);
        return TH_SPOOL_IOERROR;
    }
    size_t got = fread(buf, 1, len, f);
    int bad_read = ferror(f);
    fclose(f);
    if (bad_read || got != len) {
        free(buf);
        return TH_SPOOL_IOERROR;
    }
    const uint8_t *body = buf;
    size_t body_len = len;
    if (len >= SPOOL_MAGIC_LEN && !memcmp(buf, SPOOL_MAGIC, SPOOL_MAGIC_LEN)) {
        uint32_t want = 0;
        for (int i = 0; i < 4 && SPOOL_MAGIC_LEN + (size_t)i < len; i++)
            want |= (uint32_t)buf[SPOOL_MAGIC_LEN + i] << (8 * i);
        if (len <= SPOOL_HEADER_LEN || crc32_of(buf + SPOOL_HEADER_LEN, len - SPOOL_HEADER_LEN) != want) {
            free(buf);
            return TH_SPOOL_DAMAGED;
        }
        body += SPOOL_HEADER_LEN;
        body_len -= SPOOL_HEADER_LEN;
    } else if (buf[0] != 0x0a) {
        /* Neither a checksummed file nor one from before checksums: those
         * always begin with the submission id (field 1, tag 0x0a), which
         * th_spool_add always sets. A damaged magic lands here. */
        free(buf);
        return TH_SPOOL_DAMAGED;
    }
    /* else: a file written by a release before spool checksums: a bare
     * packed Submission. It is read as before, unchecked: a damaged one is
     * caught only if it no longer unpacks. */
    *sub = tonghop__submission__unpack(NULL, body_len, body);
    free(buf);
    return *sub ? TH_SPOOL_LOADED : TH_SPOOL_CORRUPT;
}

/* "x.sub" -> "x.ack" / "x.why" */
static void note_name(const char *name, th_spool_state state, char *buf, size_t size)
{
    size_t len = strlen(name);
    snprintf(buf, size, "%.*s.%s", (int)(len > 4 ? len - 4 : len), name,
             state == TH_SPOOL_DELIVERED ? "ack" : "why");
}

int th_spool_settle(th_spool *s, const char *name, th_spool_state to, const char *note)
{
    char from_dir[1100], to_dir[1100], from[1200], dest[1200], nn[256];
    snprintf(from_dir, sizeof from_dir, "%s/pending", s->dir);
    snprintf(to_dir, sizeof to_dir, "%s/%s", s->dir, state_dirs[to]);
    snprintf(from, sizeof from, "%s/%s", from_dir, name);
    snprintf(dest, sizeof dest, "%s/%s", to_dir, name);
    /* The note first: if we crash before the move, the submission is simply
     * sent again and the server answers "duplicate". */
    note_name(name, to, nn, sizeof nn);
    if (access(from, F_OK) != 0) return errno == ENOENT ? 0 : -1; /* settled by another process */
    if (note && write_durable(to_dir, nn, note, strlen(note), 1) != 0) return -1;
    if (rename(from, dest) != 0) return errno == ENOENT ? 0 : -1;
    /* (The destination first: until both are on disk, the file is in at
     * least one of them.) */
    return fsync_dir(to_dir) == 0 && fsync_dir(from_dir) == 0 ? 0 : -1;
}

const char *th_spool_note(th_spool *s, th_spool_state state, const char *name, char *buf, size_t size)
{
    char nn[256], path[1400];
    note_name(name, state, nn, sizeof nn);
    snprintf(path, sizeof path, "%s/%s/%s", s->dir, state_dirs[state], nn);
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f) return buf;
    size_t n = fread(buf, 1, size - 1, f);
    buf[n] = '\0';
    fclose(f);
    while (n && buf[n - 1] == '\n')
        buf[--n] = '\0';
    return buf;
}
