/* loop: poll(2) over the keyboard and the registered wake-up fds. */
#include "app/tui/loop.h"

#include <poll.h>
#include <stddef.h>

static struct loop_fd {
	int fd;
	void (*cb)(void *);
	void *ud;
} loop_fds[LOOP_MAX_FDS];
static int loop_nfds;

int
loop_add_fd(int fd, void (*cb)(void *), void *ud)
{
	int i;

	for (i = 0; i < loop_nfds; i++)
		if (loop_fds[i].fd == fd) {
			loop_fds[i].cb = cb;
			loop_fds[i].ud = ud;
			return 0;
		}
	if (loop_nfds == LOOP_MAX_FDS || fd < 0 || cb == NULL)
		return -1;
	loop_fds[loop_nfds].fd = fd;
	loop_fds[loop_nfds].cb = cb;
	loop_fds[loop_nfds].ud = ud;
	loop_nfds++;
	return 0;
}

void
loop_remove_fd(int fd)
{
	int i;

	for (i = 0; i < loop_nfds; i++)
		if (loop_fds[i].fd == fd) {
			loop_fds[i] = loop_fds[--loop_nfds];
			return;
		}
}

/* One poll; returns 1 when key_fd is readable. */
static int
loop_poll(int key_fd, int timeout_ms, int *fired)
{
	struct pollfd p[LOOP_MAX_FDS + 1];
	struct loop_fd copy[LOOP_MAX_FDS];
	int n = 0, i, rc, keys = 0, ncopy = loop_nfds;

	*fired = 0;
	if (key_fd >= 0) {
		p[n].fd = key_fd;
		p[n].events = POLLIN;
		p[n].revents = 0;
		n++;
	}
	/* Callbacks may add or remove fds: work on a copy. */
	for (i = 0; i < ncopy; i++) {
		copy[i] = loop_fds[i];
		p[n].fd = copy[i].fd;
		p[n].events = POLLIN;
		p[n].revents = 0;
		n++;
	}
	rc = poll(p, (nfds_t)n, timeout_ms);
	if (rc <= 0)
		return 0;	/* timeout, or EINTR (a resize, a Ctrl-C) */
	i = 0;
	if (key_fd >= 0) {
		keys = (p[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0;
		i = 1;
	}
	for (; i < n; i++)
		if (p[i].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) {
			copy[i - (key_fd >= 0)].cb(copy[i - (key_fd >= 0)].ud);
			(*fired)++;
		}
	return keys;
}

int
loop_wait(int key_fd, int timeout_ms)
{
	int fired;

	return loop_poll(key_fd, timeout_ms, &fired);
}

int
loop_poll_extra(void)
{
	int fired;

	if (loop_nfds == 0)
		return 0;
	loop_poll(-1, 0, &fired);
	return fired;
}
