/* conn_guard.h -- the server's connections against its file-descriptor limit.
 *
 * Every client connection takes a file descriptor. At the limit libzmq's
 * listener fails accept() with EMFILE and, the connection still waiting,
 * tries again at once, forever: one CPU spins and nothing frees a
 * descriptor. So the guard raises the soft limit to the hard one, counts
 * the ROUTER's connections with a socket monitor, and stops taking new ones
 * a reserve before the limit (the database connections, ZeroMQ's own
 * descriptors and the log need theirs); it takes them again once the count
 * falls below 90% of the limit. Connections already open are served
 * throughout, and the log says why new ones are refused.
 *
 * Stopping means the listening socket drops every incoming connection
 * request (a socket filter on it; Linux, tcp:// endpoints). zmq_unbind is
 * no use: libzmq closes every connection the endpoint had accepted with it.
 * A client whose connection request is dropped tries again by itself.
 *
 * libzmq keeps one monitor a socket, and this is the ROUTER's: a second
 * zmq_socket_monitor on it would silently replace it and blind the guard. */
#ifndef TH_CONN_GUARD_H
#define TH_CONN_GUARD_H

#include <stddef.h>

/* The connections a listening socket may still have waiting to be accepted
 * when it stops taking new ones (ZMQ_BACKLOG, set by th_guard_new): they
 * are accepted all the same, so the reserve includes them. */
#define TH_GUARD_BACKLOG 100

typedef struct th_guard th_guard;

/* Raises the soft RLIMIT_NOFILE to the hard limit and starts monitoring
 * sock (a ROUTER, not bound yet) on inproc:// in ctx. threads: the threads
 * that hold database connections (part of the reserve). Returns NULL with
 * the reason in err. */
th_guard *th_guard_new(void *ctx, void *sock, int threads, char *err, size_t errlen);

/* Once sock is bound (and every thread of the server started): finds the
 * listening socket of sock's last endpoint, sets the limit from the
 * descriptors open now, and logs it. */
void th_guard_bound(th_guard *g);

/* The socket to poll (ZMQ_POLLIN) for the monitor's events. */
void *th_guard_socket(th_guard *g);

/* Reads the monitor's waiting events and stops or resumes taking new
 * connections. Returns how many connections closed meanwhile. */
int th_guard_handle(th_guard *g);

/* The client connections open now. */
int th_guard_connections(const th_guard *g);

/* Stops the monitor; call before closing sock. */
void th_guard_destroy(th_guard **g);

#endif
