/*
 * udp_client: the kernel-cost reference for a UDP load generator,
 * bench/compare's `c-client` in UDP cells. The contract of loadgen/ and
 * `upcase bench --udp --json`:
 *
 *   udp_client --json --addr=host:port --conns=N --size=B --duration=D --pipeline=K [--timeout=T]
 *
 * N connected UDP sockets (senders), each keeping K datagrams of B bytes
 * (B >= 8) in flight, closed loop. It prints one JSON object: messages,
 * sent, msgs_per_sec, mb_per_sec, p50_us, p99_us, p999_us, max_us, errors,
 * mismatches, seconds, lost, late.
 *
 * One thread, one level-triggered epoll loop over non-blocking sockets. A
 * readable socket is drained with recvmmsg, 64 at a time, and what its
 * replies freed is refilled with one sendmmsg. Each datagram begins with its
 * sequence number written as 8 letters a-p (4 bits each) and goes on with
 * a slice of the mixed pattern of hist.h; sequence numbers go round the K
 * slots of a socket (slot = seq % K), so a reply finds its datagram without
 * a search, and is then compared byte for byte with the datagram
 * upper-cased. A datagram not answered within T (default 1 s) is lost and
 * its slot sends a new one; a reply that comes after that is late (counted,
 * not checked). Every millisecond the slots are scanned for those timeouts.
 * After D nothing new is sent; the loop ends when nothing is in flight.
 *
 * Build: gcc -O2 -o udp_client udp_client.c
 */
#define _GNU_SOURCE
#include "hist.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define BATCH 64
#define MAX_K 64
#define TAG 8
#define SCAN_NS 1000000LL

struct slot {
	uint32_t seq;     /* the datagram in flight, or the last one sent */
	int inflight;
	int64_t sent_at;
};

struct sock {
	int fd;
	uint64_t base;    /* where in the pattern this socket's datagrams start */
	struct slot *slots;
	uint32_t next[MAX_K]; /* the next sequence number of each slot */
};

static struct opts o;
static struct hist h;
static unsigned char *pat, *up;
static unsigned char rbufs[BATCH][65536];
static unsigned char sbufs[MAX_K][65536];
static int running = 1;
static int64_t inflight, last_reply;
static uint64_t messages, sent, errors, mismatches, lost, late;

/* offset is where in the pattern datagram seq of socket s takes its bytes. */
static size_t offset(const struct sock *s, uint32_t seq)
{
	return (size_t)((s->base + (uint64_t)seq * 31) % PAT_LEN);
}

/* refill sends a new datagram from every free slot of s, in one sendmmsg. */
static void refill(struct sock *s)
{
	if (!running)
		return;
	struct mmsghdr msgs[MAX_K];
	struct iovec iov[MAX_K];
	int idx[MAX_K], n = 0;
	for (int k = 0; k < o.pipeline; k++) {
		if (s->slots[k].inflight)
			continue;
		uint32_t seq = s->next[k];
		for (int j = 0; j < TAG; j++)
			sbufs[n][j] = (unsigned char)('a' + (seq >> (28 - 4 * j) & 15));
		memcpy(sbufs[n] + TAG, pat + offset(s, seq), (size_t)o.size - TAG);
		iov[n] = (struct iovec){.iov_base = sbufs[n], .iov_len = (size_t)o.size};
		msgs[n].msg_hdr = (struct msghdr){.msg_iov = &iov[n], .msg_iovlen = 1};
		idx[n++] = k;
	}
	if (n == 0)
		return;
	int64_t t = now_ns();
	int m = sendmmsg(s->fd, msgs, (unsigned int)n, MSG_DONTWAIT);
	if (m < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			errors++; /* e.g. ECONNREFUSED: retried at the next scan */
		return;
	}
	for (int i = 0; i < m; i++) { /* the rest are retried at the next scan */
		struct slot *sl = &s->slots[idx[i]];
		sl->seq = s->next[idx[i]];
		s->next[idx[i]] += (uint32_t)o.pipeline;
		sl->inflight = 1;
		sl->sent_at = t;
		inflight++;
		sent++;
	}
}

/* check matches one reply to its datagram and compares the bytes. */
static void check(struct sock *s, const unsigned char *b, size_t len, int64_t t)
{
	if (len < TAG) {
		mismatches++;
		return;
	}
	uint32_t seq = 0;
	for (int j = 0; j < TAG; j++) {
		unsigned char c = b[j] | 0x20; /* the tag's letters in either case */
		if (c < 'a' || c > 'p') {
			mismatches++;
			return;
		}
		seq = seq << 4 | (uint32_t)(c - 'a');
	}
	struct slot *sl = &s->slots[seq % (uint32_t)o.pipeline];
	if (!sl->inflight || sl->seq != seq) {
		if (seq <= sl->seq && seq % (uint32_t)o.pipeline == sl->seq % (uint32_t)o.pipeline)
			late++; /* answered after its timeout, or twice */
		else
			mismatches++; /* never sent */
		return;
	}
	int good = len == (size_t)o.size;
	for (int j = 0; good && j < TAG; j++)
		good = b[j] == (unsigned char)('A' + (seq >> (28 - 4 * j) & 15));
	if (good)
		good = memcmp(b + TAG, up + offset(s, seq), (size_t)o.size - TAG) == 0;
	if (!good)
		mismatches++;
	hist_record(&h, t - sl->sent_at);
	sl->inflight = 0;
	inflight--;
	messages++;
	last_reply = t;
}

static void on_readable(struct sock *s)
{
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	for (int i = 0; i < BATCH; i++) {
		iov[i] = (struct iovec){.iov_base = rbufs[i], .iov_len = sizeof(rbufs[i])};
		msgs[i].msg_hdr = (struct msghdr){.msg_iov = &iov[i], .msg_iovlen = 1};
	}
	int n = recvmmsg(s->fd, msgs, BATCH, MSG_DONTWAIT, NULL);
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			errors++; /* ECONNREFUSED: nobody listening */
		return;
	}
	int64_t t = now_ns();
	for (int i = 0; i < n; i++)
		check(s, rbufs[i], msgs[i].msg_len, t);
	refill(s);
}

/* scan counts datagrams older than the timeout as lost and refills. */
static void scan(struct sock *ss, int64_t t)
{
	for (int i = 0; i < o.conns; i++) {
		for (int k = 0; k < o.pipeline; k++) {
			struct slot *sl = &ss[i].slots[k];
			if (sl->inflight && t - sl->sent_at > o.timeout_ns) {
				sl->inflight = 0;
				inflight--;
				lost++;
			}
		}
		refill(&ss[i]);
	}
}

int main(int argc, char **argv)
{
	if (parse_opts(argc, argv, &o, MAX_K))
		return 2;
	if (o.size < TAG) {
		fprintf(stderr, "udp_client: --size must be at least %d (the sequence tag)\n", TAG);
		return 2;
	}
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(o.port))};
	if (inet_pton(AF_INET, o.host, &sa.sin_addr) != 1) {
		fprintf(stderr, "udp_client: bad IPv4 address %s\n", o.host);
		return 2;
	}
	size_t patn = PAT_LEN + (size_t)o.size;
	pat = malloc(patn);
	up = malloc(patn);
	struct sock *ss = calloc((size_t)o.conns, sizeof(*ss));
	struct slot *slots = calloc((size_t)o.conns * (size_t)o.pipeline, sizeof(*slots));
	int epfd = epoll_create1(EPOLL_CLOEXEC);
	if (!pat || !up || !ss || !slots || epfd < 0) {
		perror("udp_client: setting up");
		return 1;
	}
	make_pattern(pat, up, patn);
	for (int i = 0; i < o.conns; i++) {
		struct sock *s = &ss[i];
		s->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (s->fd < 0 || connect(s->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			fprintf(stderr, "udp_client: socket %d of %d to %s:%s: %s\n", i + 1, o.conns, o.host, o.port,
				strerror(errno));
			return 1;
		}
		s->base = (uint64_t)i * 977;
		s->slots = slots + (size_t)i * (size_t)o.pipeline;
		for (int k = 0; k < o.pipeline; k++)
			s->next[k] = (uint32_t)k;
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = s};
		if (epoll_ctl(epfd, EPOLL_CTL_ADD, s->fd, &ev) < 0) {
			perror("udp_client: epoll_ctl");
			return 1;
		}
	}

	int64_t start = now_ns(), stop_at = start + o.duration_ns, scanned = start;
	for (int i = 0; i < o.conns; i++)
		refill(&ss[i]);
	struct epoll_event evs[1024];
	int64_t t = start;
	for (;;) {
		t = now_ns();
		if (t >= stop_at)
			running = 0;
		if (t - scanned >= SCAN_NS) {
			scan(ss, t);
			scanned = t;
		}
		if (!running && inflight == 0)
			break;
		int n = epoll_wait(epfd, evs, 1024, 1);
		if (n < 0 && errno != EINTR) {
			perror("udp_client: epoll_wait");
			return 1;
		}
		for (int i = 0; i < n; i++)
			on_readable(evs[i].data.ptr);
	}
	int64_t end = t < stop_at ? t : stop_at;
	if (last_reply > end)
		end = last_reply;
	print_json(&h, messages, sent, o.size, (double)(end - start) / 1e9, errors, mismatches, (int64_t)lost, late);
	return 0;
}
