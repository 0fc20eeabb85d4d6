// recvmmsg.node: an optional UDP reader for the probe (Linux). It takes up to a batch of datagrams per
// system call (recvmmsg) and writes them straight into the WASM core's batch region, so that a batch
// costs one wakeup, one call into JavaScript and one into WASM, instead of one of each (and a Buffer)
// per datagram. The probe falls back to node:dgram where this cannot be built or loaded.
//
//   open(host, port, rcvbuf)  -> { handle, port, rcvbuf }   a bound, non-blocking UDP socket
//   watch(handle, callback)                                 calls callback() whenever the socket is readable
//   read(handle, memory, slots, slotSize, count, meta) -> n datagrams read (0: none waiting; < 0: -errno)
//   rest(handle, ms)                                        stop watching for ms, then watch again
//   close(handle)
//
// rest() is interrupt coalescing (as NICs and the kernel's NAPI do): a reader that has just emptied the
// socket waits a few milliseconds (batch-input.ts restMs) before the next wakeup, so that under load a wakeup finds a hundred
// datagrams instead of one or two, and the wakeup, the empty read and the call into JavaScript are paid
// per batch, not per datagram. The receive buffer holds the datagrams meanwhile.
//
// read() writes datagram i at memory[slots + i * slotSize] and its 32-byte description at
// memory[meta + i * 32]: u32 length, u32 1 if truncated, u32 family (4 or 6), u32 IPv4 address (host
// order), 16 bytes IPv6 address.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#define MAX_BATCH 256

typedef struct {
  int fd;
  uv_poll_t poll;
  uv_timer_t timer;
  int handles; // libuv handles still open; the socket closes after the last.
  napi_env env;
  napi_ref callback;
  napi_async_context context;
  int watching;
  int closing;
} reader;

#define CHECK(call) do { if ((call) != napi_ok) { napi_throw_error(env, NULL, #call " failed"); return NULL; } } while (0)

static napi_value error(napi_env env, const char *what) {
  char text[256];
  snprintf(text, sizeof text, "%s: %s", what, strerror(errno));
  napi_throw_error(env, NULL, text);
  return NULL;
}

static reader *unwrap(napi_env env, napi_value v) {
  void *p = NULL;
  if (napi_get_value_external(env, v, &p) != napi_ok || !p) napi_throw_type_error(env, NULL, "not a reader handle");
  return p;
}

// reader_call reads a call's n arguments into argv (missing ones are undefined) and the first as the
// reader; NULL, with an exception pending, when it is not one.
static reader *reader_call(napi_env env, napi_callback_info info, size_t n, napi_value *argv) {
  size_t argc = n;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) { napi_throw_error(env, NULL, "napi_get_cb_info failed"); return NULL; }
  return unwrap(env, argv[0]);
}

static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char host[64] = {0};
  size_t hostLen;
  int32_t port, rcvbuf;
  CHECK(napi_get_value_string_utf8(env, argv[0], host, sizeof host, &hostLen));
  CHECK(napi_get_value_int32(env, argv[1], &port));
  CHECK(napi_get_value_int32(env, argv[2], &rcvbuf));
  if (port < 0 || port > 65535) { napi_throw_range_error(env, NULL, "port must be 0..65535"); return NULL; }
  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof ss);
  socklen_t len;
  int family;
  struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
  struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
  if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
    family = AF_INET; a4->sin_family = AF_INET; a4->sin_port = htons(port); len = sizeof *a4;
  } else if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
    family = AF_INET6; a6->sin6_family = AF_INET6; a6->sin6_port = htons(port); len = sizeof *a6;
  } else {
    napi_throw_error(env, NULL, "host must be an IPv4 or IPv6 address");
    return NULL;
  }
  int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return error(env, "socket");
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf); // The kernel may grant less; read back below.
  if (bind(fd, (struct sockaddr *)&ss, len) < 0) { int e = errno; close(fd); errno = e; return error(env, "bind"); }
  socklen_t got = sizeof ss;
  getsockname(fd, (struct sockaddr *)&ss, &got);
  int granted = 0;
  socklen_t glen = sizeof granted;
  getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &granted, &glen);
  reader *r = calloc(1, sizeof *r);
  r->fd = fd;
  r->env = env;
  napi_value result, handle, vport, vbuf;
  CHECK(napi_create_external(env, r, NULL, NULL, &handle));
  CHECK(napi_create_int32(env, ntohs(family == AF_INET ? a4->sin_port : a6->sin6_port), &vport));
  CHECK(napi_create_int32(env, granted, &vbuf));
  CHECK(napi_create_object(env, &result));
  CHECK(napi_set_named_property(env, result, "handle", handle));
  CHECK(napi_set_named_property(env, result, "port", vport));
  CHECK(napi_set_named_property(env, result, "rcvbuf", vbuf));
  return result;
}

static void on_readable(uv_poll_t *poll, int status, int events) {
  reader *r = poll->data;
  napi_env env = r->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value callback, global, ignored;
  if (napi_get_reference_value(env, r->callback, &callback) == napi_ok && napi_get_global(env, &global) == napi_ok &&
      napi_make_callback(env, r->context, global, callback, 0, NULL, &ignored) == napi_pending_exception) {
    // What the callback threw is an uncaught exception, as from any other event: left pending, it would
    // fail every later call silently while the socket, still readable, woke the loop again and again.
    napi_value err;
    if (napi_get_and_clear_last_exception(env, &err) == napi_ok) napi_fatal_exception(env, err);
  }
  napi_close_handle_scope(env, scope);
}

static napi_value js_watch(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  reader *r = reader_call(env, info, 2, argv);
  if (!r) return NULL;
  if (r->watching || r->closing) { napi_throw_error(env, NULL, "already watching, or closed"); return NULL; }
  CHECK(napi_create_reference(env, argv[1], 1, &r->callback));
  napi_value name;
  CHECK(napi_create_string_utf8(env, "hostflow:recvmmsg", NAPI_AUTO_LENGTH, &name));
  CHECK(napi_async_init(env, NULL, name, &r->context));
  uv_loop_t *loop;
  CHECK(napi_get_uv_event_loop(env, &loop));
  if (uv_poll_init_socket(loop, &r->poll, r->fd) != 0) { napi_throw_error(env, NULL, "uv_poll_init_socket failed"); return NULL; }
  if (uv_timer_init(loop, &r->timer) != 0) { napi_throw_error(env, NULL, "uv_timer_init failed"); return NULL; }
  uv_unref((uv_handle_t *)&r->timer); // Only the socket keeps the process alive.
  r->poll.data = r;
  r->timer.data = r;
  r->handles = 2;
  uv_poll_start(&r->poll, UV_READABLE, on_readable);
  r->watching = 1;
  return NULL;
}

static napi_value js_read(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  reader *r = reader_call(env, info, 6, argv);
  if (!r) return NULL;
  if (r->fd < 0 || r->closing) { napi_throw_error(env, NULL, "reader is closed"); return NULL; }
  void *data;
  size_t size;
  CHECK(napi_get_arraybuffer_info(env, argv[1], &data, &size));
  int64_t slots, slotSize, count, meta;
  CHECK(napi_get_value_int64(env, argv[2], &slots));
  CHECK(napi_get_value_int64(env, argv[3], &slotSize));
  CHECK(napi_get_value_int64(env, argv[4], &count));
  CHECK(napi_get_value_int64(env, argv[5], &meta));
  // Every product below is checked by division first, so that no argument can wrap it around.
  if (count < 1 || count > MAX_BATCH || slots < 0 || slotSize < 1 || meta < 0 || (uint64_t)slots > size ||
      (uint64_t)slotSize > (size - (uint64_t)slots) / (uint64_t)count || (uint64_t)meta > size ||
      (uint64_t)(32 * count) > size - (uint64_t)meta || slotSize > 0x7fffffff) {
    napi_throw_range_error(env, NULL, "batch regions outside the memory");
    return NULL;
  }
  uint8_t *base = data;
  struct mmsghdr msgs[MAX_BATCH];
  struct iovec iov[MAX_BATCH];
  struct sockaddr_storage from[MAX_BATCH];
  memset(msgs, 0, sizeof(struct mmsghdr) * count);
  for (int i = 0; i < count; i++) {
    iov[i].iov_base = base + slots + slotSize * i;
    iov[i].iov_len = slotSize;
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
    msgs[i].msg_hdr.msg_name = &from[i];
    msgs[i].msg_hdr.msg_namelen = sizeof from[i];
  }
  int n = recvmmsg(r->fd, msgs, count, MSG_DONTWAIT, NULL);
  if (n < 0) n = (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? 0 : -errno;
  for (int i = 0; i < n; i++) {
    uint32_t *m = (uint32_t *)(base + meta + 32 * i);
    m[0] = msgs[i].msg_len;
    m[1] = (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) ? 1 : 0;
    if (from[i].ss_family == AF_INET) {
      m[2] = 4;
      m[3] = ntohl(((struct sockaddr_in *)&from[i])->sin_addr.s_addr);
      memset(&m[4], 0, 16);
    } else {
      m[2] = 6;
      m[3] = 0;
      memcpy(&m[4], &((struct sockaddr_in6 *)&from[i])->sin6_addr, 16);
    }
  }
  napi_value result;
  CHECK(napi_create_int32(env, n, &result));
  return result;
}

static void on_rested(uv_timer_t *timer) {
  reader *r = timer->data;
  if (!r->closing) uv_poll_start(&r->poll, UV_READABLE, on_readable);
}

static napi_value js_rest(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  reader *r = reader_call(env, info, 2, argv);
  if (!r) return NULL;
  int32_t ms;
  CHECK(napi_get_value_int32(env, argv[1], &ms));
  if (ms < 0 || ms > 1000) { napi_throw_range_error(env, NULL, "rest must be 0..1000 ms"); return NULL; }
  if (!r->watching || r->closing) return NULL;
  uv_poll_stop(&r->poll);
  uv_timer_start(&r->timer, on_rested, ms, 0);
  return NULL;
}

// The reader itself is never freed: its JavaScript handle may outlive the socket, and a probe opens
// one socket in its life. After close() every call on the handle fails cleanly.
static void on_closed(uv_handle_t *handle) {
  reader *r = handle->data;
  if (--r->handles > 0) return;
  close(r->fd);
  r->fd = -1;
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  reader *r = reader_call(env, info, 1, argv);
  if (!r) return NULL;
  if (r->fd < 0 || r->closing) return NULL;
  r->closing = 1;
  if (r->watching) {
    uv_poll_stop(&r->poll);
    uv_timer_stop(&r->timer);
    napi_delete_reference(env, r->callback);
    napi_async_destroy(env, r->context);
    uv_close((uv_handle_t *)&r->poll, on_closed); // The socket closes once libuv is done with both handles.
    uv_close((uv_handle_t *)&r->timer, on_closed);
  } else {
    close(r->fd);
    r->fd = -1;
  }
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    { "open", NULL, js_open, NULL, NULL, NULL, napi_default, NULL },
    { "watch", NULL, js_watch, NULL, NULL, NULL, napi_default, NULL },
    { "read", NULL, js_read, NULL, NULL, NULL, napi_default, NULL },
    { "rest", NULL, js_rest, NULL, NULL, NULL, napi_default, NULL },
    { "close", NULL, js_close, NULL, NULL, NULL, napi_default, NULL },
  };
  napi_define_properties(env, exports, 5, props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
