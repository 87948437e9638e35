/* test_killed_runs: a run left "running" by a process that ended without
 * finishing it (here: a child that _exits, and a store handle closed
 * mid-run) is marked "killed" when the store is next opened for writing,
 * by any process;
 * a run whose owner lives, in this process or another, is left running;
 * opening read-only marks nothing; finished runs keep their status. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/store/query.h"
#include "engine/store/runs.h"
#include "tests/lib/check.h"

static char path[256];

static const char *
status_of(store *st, int64_t id)
{
	static store_run run;
	rf_error err;

	if (store_run_get(st, id, &run, &err) != 1)
		return "(none)";
	return run.status;
}

static store *
open_store(int flags)
{
	rf_error err = { { 0 } };
	store *st = store_open(path, flags, &err);

	CHECK_MSG(st != NULL, "store: %s", err.msg);
	return st;
}

int
main(void)
{
	rf_error err = { { 0 } };
	store *a, *b, *c;
	int64_t live, closed, done, child_run = 0;
	int fds[2], wst;
	pid_t pid;

	snprintf(path, sizeof path, "%s/test_killed_runs_%ld.db",
	    getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
	    (long)getpid());
	unlink(path);
	if ((a = open_store(STORE_CREATE)) == NULL)
		return check_done();

	/* A run finished normally keeps "done". */
	done = store_run_start(a, "m", "", 1, 0, &err);
	CHECK(done > 0);
	CHECK_EQ(store_run_finish(a, done, "done", 1, 0.1, NULL, &err), 0);

	/* A run that a live handle of this process holds. */
	live = store_run_start(a, "m", "", 1, 0, &err);
	CHECK(live > 0);
	if ((b = open_store(STORE_CREATE)) == NULL)
		return check_done();
	CHECK_EQ(store_runs_killed_at_open(b), 0);
	CHECK_STR(status_of(b, live), "running");

	/* A run whose handle closes without finishing it. */
	closed = store_run_start(b, "m", "", 1, 0, &err);
	CHECK(closed > 0);
	store_close(b);
	/* Read-only: nothing marked. */
	if ((c = open_store(STORE_READONLY)) == NULL)
		return check_done();
	CHECK_STR(status_of(c, closed), "running");
	store_close(c);

	/* A child process starts a run and ends at once. */
	if (pipe(fds) < 0) {
		CHECK_FAIL("pipe");
		return check_done();
	}
	if ((pid = fork()) == 0) {
		store *st = store_open(path, STORE_CREATE, &err);
		int64_t id = st ? store_run_start(st, "m", "", 1, 0, &err) : -1;

		if (write(fds[1], &id, sizeof id) != sizeof id)
			_exit(2);
		_exit(0);	/* no finish, no close: as after kill -9 */
	}
	CHECK(pid > 0);
	if (read(fds[0], &child_run, sizeof child_run) != sizeof child_run)
		CHECK_FAIL("no run id from the child");
	waitpid(pid, &wst, 0);
	close(fds[0]);
	close(fds[1]);
	CHECK(child_run > 0);

	/* The child opened the store for writing: it marked the closed run
	 * (its handle's lock went with it), not its own, live then. */
	if ((c = open_store(STORE_READONLY)) == NULL)
		return check_done();
	CHECK_STR(status_of(c, closed), "killed");
	CHECK_STR(status_of(c, child_run), "running");
	store_close(c);

	/* For writing: the child's, whose owner is gone, and only it. */
	if ((c = open_store(STORE_CREATE)) == NULL)
		return check_done();
	CHECK_EQ(store_runs_killed_at_open(c), 1);
	CHECK_STR(status_of(c, closed), "killed");
	CHECK_STR(status_of(c, child_run), "killed");
	CHECK_STR(status_of(c, live), "running");
	CHECK_STR(status_of(c, done), "done");
	store_close(c);

	/* Its owner finishes it: done, and nothing to mark any more. */
	CHECK_EQ(store_run_finish(a, live, "done", 2, 0.2, NULL, &err), 0);
	store_close(a);
	if ((c = open_store(STORE_CREATE)) == NULL)
		return check_done();
	CHECK_EQ(store_runs_killed_at_open(c), 0);
	CHECK_STR(status_of(c, live), "done");
	store_close(c);

	unlink(path);
	{
		char side[300];

		snprintf(side, sizeof side, "%s-runs", path);
		unlink(side);
		snprintf(side, sizeof side, "%s-journal", path);
		unlink(side);
	}
	return check_done();
}
