/* SPDX-License-Identifier: MIT */
/*
 * fuzz_main.c - replays a fuzz target's corpus without libFuzzer, so the
 * normal test run covers every checked-in input (as cJSON's
 * fuzzing/fuzz_main.c does).
 *
 *   fuzz_x DIR|FILE...
 *
 * Every regular file named (or found directly in a named directory, in
 * name order) goes through LLVMFuzzerTestOneInput once.  Fails when an
 * argument is missing or unreadable, or when nothing was replayed: a
 * corpus that went missing must not look like a pass.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Largest input replayed; libFuzzer's own default -max_len is 4096. */
#define FUZZ_MAIN_MAX (16u * 1024 * 1024)

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

int main(int argc, char **argv)
{
	unsigned long count = 0;
	struct stat st;
	int i, rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR|FILE...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++) {
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
	return rc;
}
