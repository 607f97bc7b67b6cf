/* keyfile.c -- reading and writing CURVE key pairs. */
#include "keyfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "i18n.h"

int th_key_valid(const char *z85)
{
    uint8_t raw[32];
    return z85 && strlen(z85) == TH_KEY_Z85_LEN && zmq_z85_decode(raw, z85) != NULL;
}

int th_keyfile_generate(const char *path, th_keypair *kp, char *err, size_t errlen)
{
    if (zmq_curve_keypair(kp->public_key, kp->secret_key) != 0) {
        snprintf(err, errlen, "zmq_curve_keypair: %s", zmq_strerror(errno));
        return -1;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char buf[256];
    int n =
        snprintf(buf, sizeof buf,
                 "# tonghop CURVE key pair: keep this file secret (mode 0600)\npublic = %s\nsecret = %s\n",
                 kp->public_key, kp->secret_key);
    int ok = n > 0 && write(fd, buf, (size_t)n) == n && fsync(fd) == 0;
    if (close(fd) != 0) ok = 0;
    memset(buf, 0, sizeof buf);
    if (!ok) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        unlink(path);
        return -1;
    }
    return 0;
}

int th_keyfile_read(const char *path, th_keypair *kp, char *err, size_t errlen)
{
    memset(kp, 0, sizeof *kp);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || (st.st_mode & 077)) {
        snprintf(err, errlen, _("%s: a secret key file must be readable by its owner only (chmod 600)"),
                 path);
        fclose(f);
        return -1;
    }
    char line[256];
    while (fgets(line, sizeof line, f)) {
        char key[16], value[64];
        if (line[0] == '#' || sscanf(line, " %15[a-z] = %63s", key, value) != 2) continue;
        if (!strcmp(key, "public") && strlen(value) == TH_KEY_Z85_LEN)
            memcpy(kp->public_key, value, TH_KEY_Z85_LEN);
        if (!strcmp(key, "secret") && strlen(value) == TH_KEY_Z85_LEN)
            memcpy(kp->secret_key, value, TH_KEY_Z85_LEN);
    }
    fclose(f);
    memset(line, 0, sizeof line);
    if (!th_key_valid(kp->public_key) || !th_key_valid(kp->secret_key)) {
        snprintf(err, errlen, _("%s: not a key file (lines \"public = ...\" and \"secret = ...\" expected)"),
                 path);
        memset(kp, 0, sizeof *kp);
        return -1;
    }
    return 0;
}
