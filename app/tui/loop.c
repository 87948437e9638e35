/* loop: poll(2) over the keyboard and the registered wake-up fds, and
 * the flags that signals and wake-ups leave for the TUI. */
#include "app/tui/loop.h"

#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>

static struct loop_fd {
	int fd;
	void (*cb)(void *);
	void *ud;
} loop_fds[LOOP_MAX_FDS];
static int loop_nfds;

static int redraw_asked, data_changed;
static volatile sig_atomic_t sigint_seen;
static volatile int cancel_flag;
static struct sigaction old_sigint;

static void
on_sigint(int sig)
{
	(void)sig;
	sigint_seen = 1;
	cancel_flag = 1;
}

void
loop_start(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_sigint);
}

void
loop_stop(void)
{
	sigaction(SIGINT, &old_sigint, NULL);
	loop_nfds = 0;
	redraw_asked = data_changed = 0;
}

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

int
loop_redraw_asked(void)
{
	return redraw_asked;
}

void
loop_redraw_done(void)
{
	redraw_asked = 0;
}

int
loop_take_changed(void)
{
	int c = data_changed;

	data_changed = 0;
	return c;
}

int
loop_interrupted(void)
{
	return sigint_seen != 0;
}

void
loop_clear_interrupt(void)
{
	sigint_seen = 0;
	cancel_flag = 0;
}

const volatile int *
loop_cancel_flag(void)
{
	return &cancel_flag;
}

/* --- the registration the commands get (app/events.h) ------------------- */

static int
events_watch(void *ud, int fd, void (*cb)(void *), void *cb_ud)
{
	(void)ud;
	return loop_add_fd(fd, cb, cb_ud);
}

static void
events_unwatch(void *ud, int fd)
{
	(void)ud;
	loop_remove_fd(fd);
}

static void
events_redraw(void *ud)
{
	(void)ud;
	redraw_asked = 1;
}

static void
events_changed(void *ud)
{
	(void)ud;
	data_changed = 1;
	redraw_asked = 1;
}

static const struct app_events loop_registration = {
	.watch = events_watch,
	.unwatch = events_unwatch,
	.redraw = events_redraw,
	.changed = events_changed,
	.ud = NULL,
};

const struct app_events *
loop_events(void)
{
	return &loop_registration;
}
