/* test_peers.c -- open requests per connection (server/peers.h): counted up
 * to the cap, released to nothing, the table following the open jobs only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "peers.h"

static void counts_up_to_the_cap(void **state)
{
    (void)state;
    th_peers *p = th_peers_new();
    assert_non_null(p);
    const uint8_t phu_thuy[5] = {0, 0x80, 0, 0x41, 0xa7}, phu_hai[5] = {0, 0x80, 0, 0x41, 0xa8};
    for (int i = 0; i < 3; i++)
        assert_int_equal(th_peers_take(p, phu_thuy, 5, 3), 0);
    assert_int_equal(th_peers_take(p, phu_thuy, 5, 3), 1); /* at the cap: BUSY */
    assert_int_equal(th_peers_open(p, phu_thuy, 5), 3);
    /* Another connection has its own count. */
    assert_int_equal(th_peers_take(p, phu_hai, 5, 3), 0);
    assert_int_equal(th_peers_count(p), 2);
    th_peers_release(p, phu_thuy, 5);
    assert_int_equal(th_peers_take(p, phu_thuy, 5, 3), 0);
    for (int i = 0; i < 3; i++)
        th_peers_release(p, phu_thuy, 5);
    assert_int_equal(th_peers_open(p, phu_thuy, 5), 0);
    assert_int_equal(th_peers_count(p), 1); /* its entry went at 0 */
    th_peers_release(p, phu_thuy, 5);       /* unknown: left alone */
    th_peers_release(p, phu_hai, 5);
    assert_int_equal(th_peers_count(p), 0);
    th_peers_destroy(&p);
    assert_null(p);
}

/* Thousands of connections that come and go: the table grows and shrinks
 * with them; ids of any length up to 255 bytes. */
static void many_connections_come_and_go(void **state)
{
    (void)state;
    th_peers *p = th_peers_new();
    assert_non_null(p);
    char id[255];
    for (int i = 0; i < 5000; i++) {
        int n = snprintf(id, sizeof id, "ket-noi-%d", i);
        assert_int_equal(th_peers_take(p, id, (size_t)n, 256), 0);
    }
    assert_int_equal(th_peers_count(p), 5000);
    memset(id, 'x', sizeof id);
    assert_int_equal(th_peers_take(p, id, sizeof id, 256), 0);
    assert_int_equal(th_peers_open(p, id, sizeof id), 1);
    th_peers_release(p, id, sizeof id);
    for (int i = 0; i < 5000; i++) {
        int n = snprintf(id, sizeof id, "ket-noi-%d", i);
        th_peers_release(p, id, (size_t)n);
    }
    assert_int_equal(th_peers_count(p), 0);
    th_peers_destroy(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counts_up_to_the_cap),
        cmocka_unit_test(many_connections_come_and_go),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
