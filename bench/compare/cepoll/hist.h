/*
 * hist.h: what bench/compare's C load generators (client.c, udp_client.c)
 * share: the clock, the latency histogram, the message pattern and the
 * command line. Header-only so each program stays one gcc invocation.
 *
 * The histogram is loadgen/'s (bench/compare/loadgen/main.go): nanoseconds,
 * values below 64 exact, above that 32 buckets per power of two (about 3%
 * resolution), in one fixed array: recording a message costs no allocation.
 */
#ifndef UPCASE_HIST_H
#define UPCASE_HIST_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HIST_BUCKETS (64 * 32)

struct hist {
	uint64_t counts[HIST_BUCKETS];
	uint64_t total;
	int64_t max;
};

static inline int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline int hist_bucket(int64_t v)
{
	if (v < 64)
		return v < 0 ? 0 : (int)v;
	int e = 64 - __builtin_clzll((uint64_t)v) - 6; /* v>>e is in [32, 63] */
	return 32 * (e + 1) + (int)(v >> e) - 32;
}

/* hist_low is the smallest value that falls in bucket i. */
static inline int64_t hist_low(int i)
{
	if (i < 64)
		return i;
	int e = i / 32 - 1;
	return (int64_t)(i % 32 + 32) << e;
}

static inline void hist_record(struct hist *h, int64_t v)
{
	int i = hist_bucket(v);
	if (i >= HIST_BUCKETS)
		i = HIST_BUCKETS - 1;
	h->counts[i]++;
	h->total++;
	if (v > h->max)
		h->max = v;
}

/* hist_quantile is the value (ns) at quantile q: the middle of its bucket,
 * at most max; 0 when empty. */
static inline double hist_quantile(const struct hist *h, double q)
{
	if (h->total == 0)
		return 0;
	uint64_t rank = (uint64_t)(q * (double)h->total + 0.5);
	if (rank < 1)
		rank = 1;
	uint64_t seen = 0;
	for (int i = 0; i < HIST_BUCKETS; i++) {
		seen += h->counts[i];
		if (seen >= rank) {
			double mid = (double)(hist_low(i) + hist_low(i + 1) - 1) / 2;
			return mid > (double)h->max ? (double)h->max : mid;
		}
	}
	return (double)h->max;
}

/* The message pattern: PAT_LEN bytes, half of them lowercase letters, half
 * digits, punctuation, capitals, control bytes and bytes above 0x7f (which
 * must come back unchanged), as in upcase bench's payload, so that a
 * server's upper-casing costs the same for both generators (a branchy
 * upper-casing loop mispredicts more on this half-and-half mix than on a
 * mostly lowercase one), repeated; pat_upper is the same upper-cased, what every
 * reply is checked against. PAT_LEN is prime, so consecutive messages cut
 * from it differ. */
#define PAT_LEN 4093

static inline void make_pattern(unsigned char *pat, unsigned char *up, size_t n)
{
	uint32_t x = 2463534242u;
	for (size_t i = 0; i < n; i++) {
		unsigned char c;
		if (i >= PAT_LEN) {
			c = pat[i - PAT_LEN];
		} else {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			c = (x % 2) ? (unsigned char)('a' + x / 2 % 26) : (unsigned char)(x >> 8);
		}
		pat[i] = c;
		up[i] = (c >= 'a' && c <= 'z') ? (unsigned char)(c - 'a' + 'A') : c;
	}
}

/* opts is the command line both generators share (loadgen/'s contract):
 * --json --addr=host:port --conns=N --size=B --duration=D --pipeline=P,
 * plus --timeout=D (UDP: a reply later than this is lost). */
struct opts {
	char host[64];
	char port[16];
	int conns, size, pipeline;
	int64_t duration_ns, timeout_ns;
};

/* parse_duration reads "3s", "500ms", "2m", "1.5s", "100us"; -1 if bad. */
static inline int64_t parse_duration(const char *s)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || v < 0)
		return -1;
	double mul;
	if (!strcmp(end, "s"))
		mul = 1e9;
	else if (!strcmp(end, "ms"))
		mul = 1e6;
	else if (!strcmp(end, "us") || !strcmp(end, "µs"))
		mul = 1e3;
	else if (!strcmp(end, "ns"))
		mul = 1;
	else if (!strcmp(end, "m"))
		mul = 60e9;
	else
		return -1;
	return (int64_t)(v * mul);
}

/* parse_opts fills o from argv; returns 0, or 2 (usage) after a message. */
static inline int parse_opts(int argc, char **argv, struct opts *o, int max_pipeline)
{
	snprintf(o->host, sizeof(o->host), "127.0.0.1");
	snprintf(o->port, sizeof(o->port), "8080");
	o->conns = 1;
	o->size = 16;
	o->pipeline = 1;
	o->duration_ns = 5000000000LL;
	o->timeout_ns = 1000000000LL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = strchr(a, '=');
		v = v ? v + 1 : "";
		if (!strcmp(a, "--json")) {
			continue; /* JSON is the only output */
		} else if (!strncmp(a, "--addr=", 7)) {
			const char *colon = strrchr(v, ':');
			if (!colon || colon == v || (size_t)(colon - v) >= sizeof(o->host) || strlen(colon + 1) >= sizeof(o->port)) {
				fprintf(stderr, "%s: --addr=%s: want IPv4:port\n", argv[0], v);
				return 2;
			}
			memcpy(o->host, v, (size_t)(colon - v));
			o->host[colon - v] = 0;
			snprintf(o->port, sizeof(o->port), "%s", colon + 1);
		} else if (!strncmp(a, "--conns=", 8)) {
			o->conns = atoi(v);
		} else if (!strncmp(a, "--size=", 7)) {
			o->size = atoi(v);
		} else if (!strncmp(a, "--pipeline=", 11)) {
			o->pipeline = atoi(v);
		} else if (!strncmp(a, "--duration=", 11)) {
			o->duration_ns = parse_duration(v);
		} else if (!strncmp(a, "--timeout=", 10)) {
			o->timeout_ns = parse_duration(v);
		} else {
			fprintf(stderr, "%s: unknown argument %s\n", argv[0], a);
			return 2;
		}
	}
	if (o->conns < 1 || o->size < 1 || o->size > 65000 || o->pipeline < 1 || o->pipeline > max_pipeline ||
	    o->duration_ns <= 0 || o->timeout_ns <= 0) {
		fprintf(stderr, "%s: --conns, --duration, --timeout must be positive, --size 1..65000, --pipeline 1..%d\n",
			argv[0], max_pipeline);
		return 2;
	}
	return 0;
}

/* print_json prints the result object; lost < 0 leaves lost and late out. */
static inline void print_json(const struct hist *h, uint64_t messages, uint64_t sent, int size, double secs,
			      uint64_t errors, uint64_t mismatches, int64_t lost, uint64_t late)
{
	printf("{\"messages\":%llu,\"sent\":%llu,\"msgs_per_sec\":%.3f,\"mb_per_sec\":%.6f,"
	       "\"p50_us\":%.3f,\"p99_us\":%.3f,\"p999_us\":%.3f,\"max_us\":%.3f,"
	       "\"errors\":%llu,\"mismatches\":%llu,\"seconds\":%.6f",
	       (unsigned long long)messages, (unsigned long long)sent, (double)messages / secs,
	       (double)messages * size / secs / 1e6, hist_quantile(h, 0.50) / 1e3, hist_quantile(h, 0.99) / 1e3,
	       hist_quantile(h, 0.999) / 1e3, (double)h->max / 1e3, (unsigned long long)errors,
	       (unsigned long long)mismatches, secs);
	if (lost >= 0)
		printf(",\"lost\":%lld,\"late\":%llu", (long long)lost, (unsigned long long)late);
	printf("}\n");
	fflush(stdout);
}

#endif
