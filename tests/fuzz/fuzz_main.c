/* SPDX-License-Identifier: MIT */
/*
 * fuzz_main.c - replays a fuzz target's corpus without libFuzzer, so the
 * normal test run covers every checked-in input (as cJSON's
 * fuzzing/fuzz_main.c does), and fuzzes on for a fixed time when asked.
 *
 *   fuzz_x [-seconds=N] [-seed=S] DIR|FILE...
 *
 * Every regular file named (or found directly in a named directory, in
 * name order) goes through LLVMFuzzerTestOneInput once.  Fails when an
 * argument is missing or unreadable, or when nothing was replayed: a
 * corpus that went missing must not look like a pass.
 *
 * With -seconds=N (N > 0), inputs made from the corpus by random
 * mutations (bytes flipped, set, inserted, removed, repeated; tokens that
 * matter to credshim's parsers; two inputs spliced) then go through the
 * target until N seconds have passed: a small fuzzer for builds without
 * libFuzzer (gcc, the sanitizer pass).  The seed (-seed, default from the
 * clock) is printed first; a crash prints the seed and the input number,
 * and writes the input to fuzz-crash-<target>-<seed>.bin in the current
 * directory, so it can be replayed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Largest input replayed; libFuzzer's own default -max_len is 4096. */
#define FUZZ_MAIN_MAX (16u * 1024 * 1024)
/* Largest input the mutator makes (libFuzzer's default -max_len). */
#define FUZZ_MUTATE_MAX 4096u

/* The corpus kept for mutation (only with -seconds). */
struct corpus {
	uint8_t **in;
	size_t *len;
	size_t n, cap;
};

static struct corpus g_corpus;
static int g_keep;

static void corpus_add(const uint8_t *buf, size_t len)
{
	uint8_t *c;

	if (g_corpus.n == g_corpus.cap) {
		size_t cap = g_corpus.cap ? g_corpus.cap * 2 : 64;
		uint8_t **in = realloc(g_corpus.in, cap * sizeof(*in));
		size_t *l;

		if (!in)
			return;
		g_corpus.in = in;
		l = realloc(g_corpus.len, cap * sizeof(*l));
		if (!l)
			return;
		g_corpus.len = l;
		g_corpus.cap = cap;
	}
	c = malloc(len + 1);
	if (!c)
		return;
	memcpy(c, buf, len);
	g_corpus.in[g_corpus.n] = c;
	g_corpus.len[g_corpus.n++] = len;
}

/* Reads path whole and feeds it to the target: 0, or -1 after a message. */
static int replay_file(const char *path)
{
	struct stat st;
	uint8_t *buf;
	size_t got = 0;
	ssize_t r;
	int fd, rc = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "fuzz_main: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (uintmax_t)st.st_size > FUZZ_MAIN_MAX) {
		fprintf(stderr, "fuzz_main: %s: not a regular file of at most %u bytes\n",
			path, FUZZ_MAIN_MAX);
		goto out_close;
	}
	/* +1 so that an empty file still gets a valid pointer */
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		fprintf(stderr, "fuzz_main: %s: out of memory\n", path);
		goto out_close;
	}
	while (got < (size_t)st.st_size) {
		r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			fprintf(stderr, "fuzz_main: %s: short read\n", path);
			goto out_free_buf;
		}
		got += (size_t)r;
	}
	LLVMFuzzerTestOneInput(buf, got);
	if (g_keep && got <= FUZZ_MUTATE_MAX)
		corpus_add(buf, got);
	rc = 0;

out_free_buf:
	free(buf);
out_close:
	close(fd);
	return rc;
}

static int not_dot(const struct dirent *d)
{
	return strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0;
}

/* Replays the regular files directly in dir; adds them to *count. */
static int replay_dir(const char *dir, unsigned long *count)
{
	struct dirent **names;
	char path[4096];
	struct stat st;
	int n, i, rc = 0;

	n = scandir(dir, &names, not_dot, alphasort);
	if (n < 0) {
		fprintf(stderr, "fuzz_main: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		int len = snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);

		if (len < 0 || (size_t)len >= sizeof(path)) {
			fprintf(stderr, "fuzz_main: %s: path too long\n", dir);
			rc = -1;
		} else if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			if (replay_file(path) == 0)
				(*count)++;
			else
				rc = -1;
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

/* xorshift64*: a fast generator, reproducible from its seed. */
static uint64_t g_rng;

static uint64_t rnd(void)
{
	g_rng ^= g_rng >> 12;
	g_rng ^= g_rng << 25;
	g_rng ^= g_rng >> 27;
	return g_rng * 0x2545F4914F6CDD1DULL;
}

static size_t rnd_below(size_t n)
{
	return n ? (size_t)(rnd() % n) : 0;
}

/* What the mutator is running, for the crash handler. */
static const uint8_t *g_cur;
static size_t g_cur_len;
static unsigned long long g_cur_no;
static uint64_t g_seed;
static char g_crash_path[512];

/* On a crash of the target: the input to a file, then the default action. */
static void on_crash(int sig)
{
	int fd;

	if (g_cur) {
		fd = open(g_crash_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd >= 0) {
			ssize_t w = write(fd, g_cur, g_cur_len);

			(void)w;
			close(fd);
		}
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Byte strings that mean something to credshim's parsers. */
static const char *const tokens[] = {
	";", "=", "{", "}", "}}", "{}", " ", "\t", "\r\n", "%", "%41", "+", "\0", "\xff",
	"\xc3\xa9", "\xe2\x82\xac", "\xed\xa0\x80", "UID=", "PWD=", "DSN=", "DRIVER=",
	"Pam", "\"", "\\", "\"id\":", "\"passwd\":", "{\"", "[", "]", ":", ",", "null",
	"1e999", "\\u0000", "\\ud800",
};

/* One random edit of buf (len bytes, room for FUZZ_MUTATE_MAX); the new length. */
static size_t mutate_once(uint8_t *buf, size_t len)
{
	size_t pos = rnd_below(len + 1), n;
	const char *t;

	switch (rnd_below(7)) {
	case 0:	/* flip a bit */
		if (len)
			buf[rnd_below(len)] ^= (uint8_t)(1u << rnd_below(8));
		return len;
	case 1:	/* set a byte */
		if (len)
			buf[rnd_below(len)] = (uint8_t)rnd();
		return len;
	case 2:	/* insert a byte */
		if (len >= FUZZ_MUTATE_MAX)
			return len;
		memmove(buf + pos + 1, buf + pos, len - pos);
		buf[pos] = (uint8_t)rnd();
		return len + 1;
	case 3:	/* remove a run */
		if (pos >= len)
			return len;
		n = 1 + rnd_below(len - pos < 16 ? len - pos : 16);
		memmove(buf + pos, buf + pos + n, len - pos - n);
		return len - n;
	case 4:	/* repeat a run */
		if (pos >= len)
			return len;
		n = 1 + rnd_below(len - pos < 32 ? len - pos : 32);
		if (len + n > FUZZ_MUTATE_MAX)
			return len;
		memmove(buf + pos + n, buf + pos, len - pos);
		return len + n;
	case 5:	/* insert a token */
		t = tokens[rnd_below(sizeof(tokens) / sizeof(tokens[0]))];
		n = t[0] ? strlen(t) : 1;
		if (len + n > FUZZ_MUTATE_MAX)
			return len;
		memmove(buf + pos + n, buf + pos, len - pos);
		memcpy(buf + pos, t, n);
		return len + n;
	default: /* splice in part of another input */
		if (!g_corpus.n)
			return len;
		n = rnd_below(g_corpus.n);
		{
			size_t from = rnd_below(g_corpus.len[n] + 1);
			size_t take = rnd_below(g_corpus.len[n] - from + 1);

			if (len + take > FUZZ_MUTATE_MAX)
				take = FUZZ_MUTATE_MAX - len;
			memmove(buf + pos + take, buf + pos, len - pos);
			memcpy(buf + pos, g_corpus.in[n] + from, take);
			return len + take;
		}
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Mutates corpus inputs through the target for seconds seconds. */
static void fuzz_for(const char *self, double seconds)
{
	uint8_t *buf = malloc(FUZZ_MUTATE_MAX + 1), *in;
	double until = now_s() + seconds;
	const char *name = strrchr(self, '/');
	size_t len, k, edits;

	if (!buf) {
		fprintf(stderr, "fuzz_main: out of memory\n");
		exit(1);
	}
	snprintf(g_crash_path, sizeof(g_crash_path), "fuzz-crash-%s-%" PRIu64 ".bin",
		 name ? name + 1 : self, g_seed);
	signal(SIGABRT, on_crash);
	signal(SIGSEGV, on_crash);
	signal(SIGBUS, on_crash);
	for (g_cur_no = 0; (g_cur_no & 255) || now_s() < until; g_cur_no++) {
		len = 0;
		if (g_corpus.n) {
			k = rnd_below(g_corpus.n);
			len = g_corpus.len[k];
			memcpy(buf, g_corpus.in[k], len);
		}
		for (edits = 1 + rnd_below(8); edits; edits--)
			len = mutate_once(buf, len);
		/* the target gets exactly len bytes, as from libFuzzer */
		in = malloc(len ? len : 1);
		if (!in)
			continue;
		memcpy(in, buf, len);
		g_cur = in;
		g_cur_len = len;
		LLVMFuzzerTestOneInput(in, len);
		g_cur = NULL;
		free(in);
	}
	printf("%s: %llu mutated inputs in %.0f s (seed %" PRIu64 ")\n", self, g_cur_no, seconds,
	       g_seed);
	free(buf);
}

int main(int argc, char **argv)
{
	unsigned long count = 0;
	double seconds = 0;
	struct stat st;
	int i, rc = 0, first = 1;
	char *end;

	g_seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	for (; first < argc && argv[first][0] == '-'; first++) {
		if (strncmp(argv[first], "-seconds=", 9) == 0) {
			errno = 0;
			seconds = strtod(argv[first] + 9, &end);
			if (errno || *end || seconds < 0 || seconds > 3600) {
				fprintf(stderr, "fuzz_main: bad %s\n", argv[first]);
				return 2;
			}
		} else if (strncmp(argv[first], "-seed=", 6) == 0) {
			errno = 0;
			g_seed = strtoull(argv[first] + 6, &end, 10);
			if (errno || *end) {
				fprintf(stderr, "fuzz_main: bad %s\n", argv[first]);
				return 2;
			}
		} else {
			fprintf(stderr, "fuzz_main: unknown option %s\n", argv[first]);
			return 2;
		}
	}
	if (first >= argc) {
		fprintf(stderr, "usage: %s [-seconds=N] [-seed=S] CORPUS_DIR|FILE...\n", argv[0]);
		return 2;
	}
	g_keep = seconds > 0;
	g_rng = g_seed ? g_seed : 1;
	if (g_keep)
		printf("%s: seed %" PRIu64 " (-seed=%" PRIu64 " repeats this run)\n", argv[0], g_seed,
		       g_seed);
	for (i = first; i < argc; i++) {
		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "fuzz_main: %s: %s\n", argv[i], strerror(errno));
			rc = 1;
		} else if (S_ISDIR(st.st_mode)) {
			if (replay_dir(argv[i], &count) != 0)
				rc = 1;
		} else if (replay_file(argv[i]) == 0) {
			count++;
		} else {
			rc = 1;
		}
	}
	printf("%s: replayed %lu input%s\n", argv[0], count, count == 1 ? "" : "s");
	if (count == 0) {
		fprintf(stderr, "fuzz_main: nothing replayed\n");
		rc = 1;
	}
	if (rc == 0 && seconds > 0)
		fuzz_for(argv[0], seconds);
	for (i = 0; (size_t)i < g_corpus.n; i++)
		free(g_corpus.in[i]);
	free(g_corpus.in);
	free(g_corpus.len);
	return rc;
}
