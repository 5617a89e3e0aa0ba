#ifndef CNETIO_H
#define CNETIO_H

/*
 * Blocking-with-deadline TCP and TLS (OpenSSL) connections for Stagehand's HTTP/1.1
 * transport. Every call takes an absolute deadline on CLOCK_MONOTONIC in milliseconds
 * (`cnet_now_ms() + timeout`) and waits with poll(2), so nothing here blocks past it.
 * Nothing here exposes OpenSSL types to Swift. Writes never raise SIGPIPE (MSG_NOSIGNAL,
 * also under TLS through a socket BIO of our own).
 */

#include <stddef.h>
#include <stdint.h>

/* Outcomes (negative) of the calls below; 0 or more means success. */
#define CNET_ERR_DNS (-1)        /* the host name did not resolve */
#define CNET_ERR_REFUSED (-2)    /* nothing listens there */
#define CNET_ERR_CONNECT (-3)    /* other connect failures (unreachable, ...) */
#define CNET_ERR_TIMEOUT (-4)    /* the deadline passed */
#define CNET_ERR_TLS (-5)        /* TLS set-up or handshake failed (message says why) */
#define CNET_ERR_IO (-6)         /* the connection broke (reset, ...) */
#define CNET_ERR_CANCELLED (-7)  /* cnet_cancel was called */

typedef struct cnet_tls cnet_tls;
typedef struct cnet_conn cnet_conn;

/* Milliseconds on CLOCK_MONOTONIC. */
int64_t cnet_now_ms(void);

/* A TLS client context: TLS 1.2 or later, peer verification on, the system's trust store,
 * or only the PEM bundle at `ca_file` when it is not NULL. NULL on failure (message in err). */
cnet_tls *cnet_tls_new(const char *ca_file, char *err, size_t errlen);
void cnet_tls_free(cnet_tls *tls);

/* A TCP connection to host:port (every address tried in turn), TCP_NODELAY on. */
int cnet_connect(const char *host, int port, int64_t deadline_ms, cnet_conn **out, char *err, size_t errlen);

/* Starts TLS on a connection (after a proxy's CONNECT, when there is one), checking the
 * certificate against `host` (a DNS name, sent as SNI, or an IP address). */
int cnet_start_tls(cnet_conn *conn, cnet_tls *tls, const char *host, int64_t deadline_ms, char *err, size_t errlen);

/* Writes all of buf; returns len, or an error (after a partial write too). */
int64_t cnet_write_all(cnet_conn *conn, const void *buf, size_t len, int64_t deadline_ms);

/* Reads what is there, waiting for at least one byte: the count, 0 at end of stream, or an error. */
int64_t cnet_read(cnet_conn *conn, void *buf, size_t cap, int64_t deadline_ms);

/* True (1) when an idle connection can carry another request: nothing to read and no end
 * of stream (TLS records that carry no data, such as session tickets, are consumed). */
int cnet_is_reusable(cnet_conn *conn);

/* Makes a call blocked on this connection return CNET_ERR_CANCELLED soon. Safe from another
 * thread while the connection is open; the caller keeps it from racing cnet_close. */
void cnet_cancel(cnet_conn *conn);

void cnet_close(cnet_conn *conn);

#endif
