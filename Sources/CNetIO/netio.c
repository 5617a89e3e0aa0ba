#define _GNU_SOURCE
#include "CNetIO.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct cnet_tls {
  SSL_CTX *ctx;
};

struct cnet_conn {
  int fd;
  SSL *ssl;
  atomic_int cancelled;
};

int64_t cnet_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void set_err(char *err, size_t errlen, const char *text) {
  if (err && errlen) snprintf(err, errlen, "%s", text);
}

/* The oldest queued OpenSSL error as text, or `fallback`; clears the queue. */
static void set_ssl_err(char *err, size_t errlen, const char *fallback) {
  unsigned long code = ERR_get_error();
  if (code == 0) {
    set_err(err, errlen, fallback);
  } else {
    const char *reason = ERR_reason_error_string(code);
    set_err(err, errlen, reason ? reason : fallback);
  }
  ERR_clear_error();
}

/* Waits until fd is ready for `events`; 1 ready, or an error. Hang-ups count as ready so the
 * next read or write reports them. */
static int wait_fd(cnet_conn *conn, int fd, short events, int64_t deadline_ms) {
  for (;;) {
    if (conn && atomic_load(&conn->cancelled)) return CNET_ERR_CANCELLED;
    int64_t left = deadline_ms - cnet_now_ms();
    if (left <= 0) return CNET_ERR_TIMEOUT;
    /* Wake at least every 100 ms to notice a cancellation even if shutdown() did not wake poll. */
    int slice = left > 100 ? 100 : (int)left;
    struct pollfd pfd = {.fd = fd, .events = events, .revents = 0};
    int ready = poll(&pfd, 1, slice);
    if (ready > 0) {
      if (conn && atomic_load(&conn->cancelled)) return CNET_ERR_CANCELLED;
      return 1;
    }
    if (ready < 0 && errno != EINTR) return CNET_ERR_IO;
  }
}

/* ---- TLS context ------------------------------------------------------------------- */

cnet_tls *cnet_tls_new(const char *ca_file, char *err, size_t errlen) {
  SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
  if (!ctx) {
    set_ssl_err(err, errlen, "could not create a TLS context");
    return NULL;
  }
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
  /* An end of stream without close_notify reads as an end of stream: HTTP framing
   * (Content-Length, chunked) tells a truncated answer from a whole one. */
  SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
  SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_ENABLE_PARTIAL_WRITE);
  int loaded = ca_file ? SSL_CTX_load_verify_locations(ctx, ca_file, NULL) : SSL_CTX_set_default_verify_paths(ctx);
  if (loaded != 1) {
    char text[1200];
    if (ca_file) {
      snprintf(text, sizeof text,
               "could not load the CA bundle %s (named by AWS_CA_BUNDLE or the profile's ca_bundle): "
               "point it at a readable PEM file, or unset it to use the system's certificates",
               ca_file);
    } else {
      snprintf(text, sizeof text, "could not load the system's trusted certificates");
    }
    set_err(err, errlen, text);
    ERR_clear_error();
    SSL_CTX_free(ctx);
    return NULL;
  }
  cnet_tls *tls = calloc(1, sizeof *tls);
  if (!tls) {
    SSL_CTX_free(ctx);
    set_err(err, errlen, "out of memory");
    return NULL;
  }
  tls->ctx = ctx;
  return tls;
}

void cnet_tls_free(cnet_tls *tls) {
  if (!tls) return;
  SSL_CTX_free(tls->ctx);
  free(tls);
}

/* ---- A socket BIO that never raises SIGPIPE ---------------------------------------- */

static int bio_write(BIO *bio, const char *buf, int len) {
  int fd = (int)(intptr_t)BIO_get_data(bio);
  BIO_clear_retry_flags(bio);
  ssize_t n = send(fd, buf, (size_t)len, MSG_NOSIGNAL);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) BIO_set_retry_write(bio);
  return (int)n;
}

static int bio_read(BIO *bio, char *buf, int len) {
  int fd = (int)(intptr_t)BIO_get_data(bio);
  BIO_clear_retry_flags(bio);
  ssize_t n = recv(fd, buf, (size_t)len, 0);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) BIO_set_retry_read(bio);
  return (int)n;
}

static long bio_ctrl(BIO *bio, int cmd, long num, void *ptr) {
  (void)bio;
  (void)num;
  (void)ptr;
  switch (cmd) {
  case BIO_CTRL_FLUSH:
  case BIO_CTRL_DUP:
    return 1;
  default:
    return 0;
  }
}

static int bio_create(BIO *bio) {
  BIO_set_init(bio, 1);
  return 1;
}

static BIO_METHOD *shared_method;
static pthread_once_t method_once = PTHREAD_ONCE_INIT;

static void make_method(void) {
  BIO_METHOD *method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "stagehand socket");
  if (!method) return;
  BIO_meth_set_write(method, bio_write);
  BIO_meth_set_read(method, bio_read);
  BIO_meth_set_ctrl(method, bio_ctrl);
  BIO_meth_set_create(method, bio_create);
  shared_method = method;
}

static BIO_METHOD *socket_method(void) {
  pthread_once(&method_once, make_method);
  return shared_method;
}

/* ---- Connections ------------------------------------------------------------------- */

static int set_nonblocking(int fd) {
  int flags = fcntl(fd, F_GETFL, 0);
  return flags < 0 ? -1 : fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

/* One address: a non-blocking connect finished with poll. 0, or an error. */
static int connect_one(const struct addrinfo *ai, int64_t deadline_ms, int *out_fd) {
  int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
  if (fd < 0) return CNET_ERR_CONNECT;
  if (set_nonblocking(fd) != 0) {
    close(fd);
    return CNET_ERR_CONNECT;
  }
  int result = 0;
  if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
    if (errno == ECONNREFUSED) {
      result = CNET_ERR_REFUSED;
    } else if (errno != EINPROGRESS) {
      result = CNET_ERR_CONNECT;
    } else {
      int ready = wait_fd(NULL, fd, POLLOUT, deadline_ms);
      if (ready < 0) {
        result = ready;
      } else {
        int soerr = 0;
        socklen_t len = sizeof soerr;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
        if (soerr == ECONNREFUSED) result = CNET_ERR_REFUSED;
        else if (soerr != 0) result = CNET_ERR_CONNECT;
      }
    }
  }
  if (result != 0) {
    close(fd);
    return result;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  *out_fd = fd;
  return 0;
}

int cnet_connect(const char *host, int port, int64_t deadline_ms, cnet_conn **out, char *err, size_t errlen) {
  char service[16];
  snprintf(service, sizeof service, "%d", port);
  struct addrinfo hints;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_ADDRCONFIG | AI_NUMERICSERV;
  struct addrinfo *list = NULL;
  int gai = getaddrinfo(host, service, &hints, &list);
  if (gai != 0 || !list) {
    set_err(err, errlen, gai == EAI_SYSTEM ? strerror(errno) : gai_strerror(gai));
    return CNET_ERR_DNS;
  }
  int result = CNET_ERR_CONNECT;
  int fd = -1;
  for (struct addrinfo *ai = list; ai; ai = ai->ai_next) {
    result = connect_one(ai, deadline_ms, &fd);
    if (result == 0 || result == CNET_ERR_TIMEOUT) break;
  }
  freeaddrinfo(list);
  if (result != 0) {
    set_err(err, errlen, result == CNET_ERR_REFUSED ? "connection refused"
                         : result == CNET_ERR_TIMEOUT ? "timed out"
                                                      : "connection failed");
    return result;
  }
  cnet_conn *conn = calloc(1, sizeof *conn);
  if (!conn) {
    close(fd);
    set_err(err, errlen, "out of memory");
    return CNET_ERR_CONNECT;
  }
  conn->fd = fd;
  atomic_init(&conn->cancelled, 0);
  *out = conn;
  return 0;
}

/* Waits for what OpenSSL asked for after a call returned `ret`; 0 to call again, or an error. */
static int wait_ssl(cnet_conn *conn, int ret, int64_t deadline_ms) {
  int code = SSL_get_error(conn->ssl, ret);
  int ready;
  switch (code) {
  case SSL_ERROR_WANT_READ:
    ready = wait_fd(conn, conn->fd, POLLIN, deadline_ms);
    return ready < 0 ? ready : 0;
  case SSL_ERROR_WANT_WRITE:
    ready = wait_fd(conn, conn->fd, POLLOUT, deadline_ms);
    return ready < 0 ? ready : 0;
  default:
    return atomic_load(&conn->cancelled) ? CNET_ERR_CANCELLED : CNET_ERR_IO;
  }
}

int cnet_start_tls(cnet_conn *conn, cnet_tls *tls, const char *host, int64_t deadline_ms, char *err, size_t errlen) {
  BIO_METHOD *method = socket_method();
  SSL *ssl = method ? SSL_new(tls->ctx) : NULL;
  BIO *bio = ssl ? BIO_new(method) : NULL;
  if (!bio) {
    if (ssl) SSL_free(ssl);
    set_ssl_err(err, errlen, "could not start TLS");
    return CNET_ERR_TLS;
  }
  BIO_set_data(bio, (void *)(intptr_t)conn->fd);
  SSL_set_bio(ssl, bio, bio);
  conn->ssl = ssl;

  unsigned char address[16];
  int is_ip = inet_pton(AF_INET, host, address) == 1 || inet_pton(AF_INET6, host, address) == 1;
  int configured = is_ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host)
                         : (SSL_set_tlsext_host_name(ssl, host) == 1 && SSL_set1_host(ssl, host) == 1);
  if (configured != 1) {
    set_ssl_err(err, errlen, "could not set the host name to verify");
    return CNET_ERR_TLS;
  }
  ERR_clear_error();
  for (;;) {
    int ret = SSL_connect(ssl);
    if (ret == 1) return 0;
    int code = SSL_get_error(ssl, ret);
    if (code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE) {
      int waited = wait_ssl(conn, ret, deadline_ms);
      if (waited == 0) continue;
      set_err(err, errlen, waited == CNET_ERR_TIMEOUT ? "timed out" : "cancelled");
      return waited;
    }
    long verify = SSL_get_verify_result(ssl);
    if (verify != X509_V_OK) {
      char text[300];
      snprintf(text, sizeof text, "certificate verify failed: %s", X509_verify_cert_error_string(verify));
      set_err(err, errlen, text);
      ERR_clear_error();
    } else if (code == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
      set_err(err, errlen, "the server closed the connection during the handshake");
    } else {
      set_ssl_err(err, errlen, "handshake failed");
    }
    return CNET_ERR_TLS;
  }
}

int64_t cnet_write_all(cnet_conn *conn, const void *buf, size_t len, int64_t deadline_ms) {
  const char *bytes = buf;
  size_t done = 0;
  while (done < len) {
    if (atomic_load(&conn->cancelled)) return CNET_ERR_CANCELLED;
    size_t chunk = len - done;
    if (conn->ssl) {
      if (chunk > INT32_MAX) chunk = INT32_MAX;
      ERR_clear_error();
      int n = SSL_write(conn->ssl, bytes + done, (int)chunk);
      if (n > 0) {
        done += (size_t)n;
        continue;
      }
      int waited = wait_ssl(conn, n, deadline_ms);
      if (waited != 0) return waited;
    } else {
      ssize_t n = send(conn->fd, bytes + done, chunk, MSG_NOSIGNAL);
      if (n > 0) {
        done += (size_t)n;
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
        int ready = wait_fd(conn, conn->fd, POLLOUT, deadline_ms);
        if (ready < 0) return ready;
        continue;
      }
      return atomic_load(&conn->cancelled) ? CNET_ERR_CANCELLED : CNET_ERR_IO;
    }
  }
  return (int64_t)len;
}

int64_t cnet_read(cnet_conn *conn, void *buf, size_t cap, int64_t deadline_ms) {
  if (cap > INT32_MAX) cap = INT32_MAX;
  for (;;) {
    if (atomic_load(&conn->cancelled)) return CNET_ERR_CANCELLED;
    if (conn->ssl) {
      ERR_clear_error();
      int n = SSL_read(conn->ssl, buf, (int)cap);
      if (n > 0) return n;
      int code = SSL_get_error(conn->ssl, n);
      if (code == SSL_ERROR_ZERO_RETURN) return 0;
      int waited = wait_ssl(conn, n, deadline_ms);
      if (waited != 0) return waited;
    } else {
      ssize_t n = recv(conn->fd, buf, cap, 0);
      if (n >= 0) {
        if (n == 0 && atomic_load(&conn->cancelled)) return CNET_ERR_CANCELLED;
        return n;
      }
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
        int ready = wait_fd(conn, conn->fd, POLLIN, deadline_ms);
        if (ready < 0) return ready;
        continue;
      }
      return atomic_load(&conn->cancelled) ? CNET_ERR_CANCELLED : CNET_ERR_IO;
    }
  }
}

int cnet_is_reusable(cnet_conn *conn) {
  if (atomic_load(&conn->cancelled)) return 0;
  struct pollfd pfd = {.fd = conn->fd, .events = POLLIN, .revents = 0};
  int ready = poll(&pfd, 1, 0);
  if (ready == 0) return 1;
  if (ready < 0 || (pfd.revents & (POLLERR | POLLHUP | POLLNVAL))) return 0;
  if (!conn->ssl) return 0; /* data or an end of stream nobody asked for */
  /* Under TLS, records without application data (session tickets, key updates) may be
   * waiting: consume them; anything else (data, close_notify, an error) ends the reuse. */
  char byte;
  ERR_clear_error();
  int n = SSL_peek(conn->ssl, &byte, 1);
  if (n > 0) return 0;
  int code = SSL_get_error(conn->ssl, n);
  ERR_clear_error();
  return code == SSL_ERROR_WANT_READ;
}

void cnet_cancel(cnet_conn *conn) {
  atomic_store(&conn->cancelled, 1);
  shutdown(conn->fd, SHUT_RDWR);
}

void cnet_close(cnet_conn *conn) {
  if (!conn) return;
  if (conn->ssl) SSL_free(conn->ssl); /* frees the BIO too; no close_notify: nothing waits for it */
  close(conn->fd);
  free(conn);
}
