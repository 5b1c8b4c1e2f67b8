/* wire.c: buffered reads and writes on the judge-driver pipes (wire.h). */
#define _POSIX_C_SOURCE 200809L
#include "wire.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { WIRE_CHUNK = 1 << 16 };

int wire_open(Wire *w, int in, int out) {
    memset(w, 0, sizeof *w);
    w->in = in;
    w->out = out;
    w->rcap = WIRE_CHUNK;
    w->rbuf = malloc(w->rcap);
    w->wcap = WIRE_CHUNK;
    w->wbuf = malloc(w->wcap);
    return w->rbuf && w->wbuf ? 0 : -1;
}

void wire_put(Wire *w, const void *p, size_t n) {
    if (w->wlen + n > w->wcap) {
        size_t cap = w->wcap;
        while (cap < w->wlen + n)
            cap *= 2;
        unsigned char *grown = realloc(w->wbuf, cap);
        if (!grown) abort();
        w->wbuf = grown;
        w->wcap = cap;
    }
    if (n) memcpy(w->wbuf + w->wlen, p, n);
    w->wlen += n;
}

void wire_put_u32(Wire *w, uint32_t v) { wire_put(w, &v, sizeof v); }

int wire_flush(Wire *w) {
    size_t done = 0;
    while (done < w->wlen) {
        ssize_t k = write(w->out, w->wbuf + done, w->wlen - done);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return -1;
        done += (size_t)k;
    }
    w->wlen = 0;
    return 0;
}

/* Refills the read buffer; -1 at the end of the stream. */
static int refill(Wire *w) {
    for (;;) {
        ssize_t k = read(w->in, w->rbuf, w->rcap);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return -1;
        w->rpos = 0;
        w->rlen = (size_t)k;
        return 0;
    }
}

int wire_get(Wire *w, void *p, size_t n) {
    unsigned char *to = p;
    while (n > 0) {
        if (w->rpos == w->rlen && refill(w) != 0) return -1;
        size_t k = w->rlen - w->rpos < n ? w->rlen - w->rpos : n;
        memcpy(to, w->rbuf + w->rpos, k);
        w->rpos += k;
        to += k;
        n -= k;
    }
    return 0;
}

size_t wire_array_bytes(long long count, size_t size) {
    if (count <= 0 || size == 0) return 0;
    if ((unsigned long long)count > WIRE_MAX_BYTES / size) return SIZE_MAX;
    return (size_t)count * size;
}
