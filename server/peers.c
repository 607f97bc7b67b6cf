/* peers.c -- open requests per connection: a small chained hash table.
 *
 * Keys are routing ids (5 bytes as libzmq assigns them, at most 255 when a
 * client chooses its own). The hash is seeded at random so that a client
 * choosing ids cannot aim them all at one bucket; and the table holds at
 * most as many entries as there are open requests (serve.c caps those), so
 * even a bad spread costs little. */
#include "peers.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TH_PEERS_BUCKETS_MIN 64

typedef struct th_peer {
    struct th_peer *next;
    uint64_t hash;
    unsigned open;
    size_t len;
    unsigned char id[]; /* len bytes */
} th_peer;

struct th_peers {
    th_peer **buckets;
    size_t nbuckets; /* a power of two */
    size_t count;
    uint64_t seed;
};

/* FNV-1a from a random basis. */
static uint64_t hash_id(const th_peers *p, const void *id, size_t len)
{
    const unsigned char *b = id;
    uint64_t h = p->seed;
    for (size_t i = 0; i < len; i++) {
        h ^= b[i];
        h *= 1099511628211u;
    }
    return h;
}

th_peers *th_peers_new(void)
{
    th_peers *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->nbuckets = TH_PEERS_BUCKETS_MIN;
    p->buckets = calloc(p->nbuckets, sizeof *p->buckets);
    if (!p->buckets) {
        free(p);
        return NULL;
    }
    if (getentropy(&p->seed, sizeof p->seed) != 0) p->seed = (uint64_t)(uintptr_t)p ^ (uint64_t)getpid();
    p->seed ^= 14695981039346656037u;
    return p;
}

void th_peers_destroy(th_peers **pp)
{
    if (!pp || !*pp) return;
    th_peers *p = *pp;
    for (size_t i = 0; i < p->nbuckets; i++) {
        th_peer *e = p->buckets[i], *next;
        for (; e; e = next) {
            next = e->next;
            free(e);
        }
    }
    free(p->buckets);
    free(p);
    *pp = NULL;
}

/* The entry's link (the pointer that points at it), or the end of its
 * bucket's chain when there is none. */
static th_peer **find(const th_peers *p, uint64_t h, const void *id, size_t len)
{
    th_peer **link = &p->buckets[h & (p->nbuckets - 1)];
    for (; *link; link = &(*link)->next)
        if ((*link)->hash == h && (*link)->len == len && !memcmp((*link)->id, id, len)) break;
    return link;
}

/* Doubles the buckets when the chains grow long. A failed allocation keeps
 * the table as it is: slower, still right. */
static void grow(th_peers *p)
{
    if (p->count <= 2 * p->nbuckets) return;
    size_t n = p->nbuckets * 2;
    th_peer **b = calloc(n, sizeof *b);
    if (!b) return;
    for (size_t i = 0; i < p->nbuckets; i++) {
        th_peer *e = p->buckets[i], *next;
        for (; e; e = next) {
            next = e->next;
            e->next = b[e->hash & (n - 1)];
            b[e->hash & (n - 1)] = e;
        }
    }
    free(p->buckets);
    p->buckets = b;
    p->nbuckets = n;
}

int th_peers_take(th_peers *p, const void *id, size_t len, unsigned max)
{
    uint64_t h = hash_id(p, id, len);
    th_peer **link = find(p, h, id, len);
    if (*link) {
        if ((*link)->open >= max) return 1;
        (*link)->open++;
        return 0;
    }
    if (max == 0) return 1;
    th_peer *e = malloc(sizeof *e + len);
    if (!e) return -1;
    e->next = NULL;
    e->hash = h;
    e->open = 1;
    e->len = len;
    memcpy(e->id, id, len);
    *link = e;
    p->count++;
    grow(p);
    return 0;
}

void th_peers_release(th_peers *p, const void *id, size_t len)
{
    th_peer **link = find(p, hash_id(p, id, len), id, len);
    th_peer *e = *link;
    if (!e) return;
    if (--e->open > 0) return;
    *link = e->next;
    free(e);
    p->count--;
}

unsigned th_peers_open(const th_peers *p, const void *id, size_t len)
{
    const th_peer *e = *find(p, hash_id(p, id, len), id, len);
    return e ? e->open : 0;
}

size_t th_peers_count(const th_peers *p) { return p->count; }
