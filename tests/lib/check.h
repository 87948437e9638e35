/* check: the one check library of the C tests (and of the tests/lib helpers
 * the benches share): checks that name file:line and the expression, the
 * worst difference of every comparison against a reference, a summary at
 * exit, and an exit status that cannot lie: 1 on any failure, 77 for a
 * skip, and 1 for a test that ends without a summary or without checks.
 *
 *   CHECK(cond)                  CHECK_MSG(cond, fmt, ...)
 *   CHECK_EQ(got, want)          integers, both printed
 *   CHECK_NEAR(got, want, tol)   doubles: |got - want| <= tol, NaN fails
 *   CHECK_STR(got, want)         CHECK_CONTAINS(got, part)
 *   CHECK_FAIL(fmt, ...)         a failure found by other means
 *   check_context(fmt, ...)      said with every failure until cleared
 *   return check_done();         the summary and the exit status
 *   check_skip(fmt, ...)         exit 77 (1 when a check failed already)
 *   check_data_dir(file)         the data folder, or skip (fail if CI=true)
 */
#ifndef RF_CHECK_H
#define RF_CHECK_H

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Failure messages shown per line of source; the rest are only counted,
 * so one broken loop cannot bury the failures after it. */
#define CHECK_SHOWN_PER_SITE 10

/* One check in the source (one per macro expansion, found at its first
 * run): how often it ran and failed, and for CHECK_NEAR the comparison
 * closest to (or furthest over) its tolerance. */
struct check_site {
	const char *file;
	int line;
	const char *what;	/* the macro and its arguments, as written */
	int near;		/* a CHECK_NEAR: keeps the worst difference */
	long long run, failed;
	double worst_ratio;	/* difference / tolerance, NaN as inf */
	double worst_diff, worst_tol;
	struct check_site *next;
};

struct check_state {
	long long run, failed;
	int armed;		/* the exit guard is registered */
	int finished;		/* check_done or check_skip reported */
	char context[256];
	struct check_site *first, *last;
};

/* Function-local, so a file that includes this and runs no check (a
 * bench) has no unused variable. */
static inline struct check_state *
check_state(void)
{
	static struct check_state state;

	return &state;
}

/* The program's name for the summary (glibc's, under _GNU_SOURCE which
 * the build defines). */
static inline const char *
check_program(void)
{
#ifdef _GNU_SOURCE
	return program_invocation_short_name;
#else
	return "test";
#endif
}

/* Sites comparing at least this many values against a reference get a
 * line of their own in the summary. */
#define CHECK_SET_SIZE 10

static inline void
check_print_near(const char *label, const struct check_site *s)
{
	printf("  %s %s:%d: %s: %lld compared, worst difference %.3g "
	    "(tolerance %.3g there)\n", label, s->file, s->line, s->what,
	    s->run, s->worst_diff, s->worst_tol);
}

/* Failing sites, the comparison closest to its tolerance (or furthest
 * over it) and every large comparison set, then the count. */
static inline void
check_print_summary(void)
{
	struct check_state *cs = check_state();
	const struct check_site *s, *closest = NULL;

	fflush(stdout);
	for (s = cs->first; s != NULL; s = s->next) {
		if (s->failed > 0)
			printf("  %s:%d: %s: %lld of %lld failed\n", s->file,
			    s->line, s->what, s->failed, s->run);
		if (s->near && (closest == NULL ||
		    s->worst_ratio > closest->worst_ratio))
			closest = s;
	}
	for (s = cs->first; s != NULL; s = s->next)
		if (s->near && s->run >= CHECK_SET_SIZE)
			check_print_near("set", s);
	if (closest != NULL)
		check_print_near("closest to its tolerance:", closest);
	if (cs->failed > 0)
		printf("%s: %lld of %lld checks FAILED\n", check_program(),
		    cs->failed, cs->run);
	else
		printf("%s: %lld checks passed\n", check_program(), cs->run);
	fflush(stdout);
}

/* The test ended another way (exit() in a helper, a return before the
 * summary): say so and make it a failure, whatever the status was. */
static inline void
check_exit_guard(void)
{
	struct check_state *cs = check_state();

	if (cs->finished)
		return;
	fflush(stdout);
	fprintf(stderr, "FAIL: the test ended before its summary "
	    "(an exit or a return that skipped check_done)\n");
	check_print_summary();
	_exit(1);
}

/* Register the exit guard (once).  testutil.h calls this before it
 * registers its own clean-up, so the clean-up still runs first. */
static inline void
check_arm(void)
{
	struct check_state *cs = check_state();

	if (!cs->armed) {
		cs->armed = 1;
		atexit(check_exit_guard);
	}
}

static inline struct check_site *
check_site_enter(struct check_site *s)
{
	struct check_state *cs = check_state();

	check_arm();
	if (s->run++ == 0) {
		if (cs->last != NULL)
			cs->last->next = s;
		else
			cs->first = s;
		cs->last = s;
	}
	cs->run++;
	return s;
}

__attribute__((format(printf, 2, 0)))
static inline void
check_failv(struct check_site *s, const char *fmt, va_list ap)
{
	struct check_state *cs = check_state();

	cs->failed++;
	if (s->failed++ >= CHECK_SHOWN_PER_SITE)
		return;
	fflush(stdout);
	fprintf(stderr, "FAIL %s:%d: %s: ", s->file, s->line, s->what);
	vfprintf(stderr, fmt, ap);
	if (cs->context[0] != '\0')
		fprintf(stderr, " [%s]", cs->context);
	if (s->failed == CHECK_SHOWN_PER_SITE)
		fprintf(stderr, " (further failures here are only counted)");
	fputc('\n', stderr);
}

__attribute__((format(printf, 2, 3)))
static inline void
check_fail_at(struct check_site *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	check_failv(s, fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 1, 2)))
static inline void
check_context(const char *fmt, ...)
{
	struct check_state *cs = check_state();
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cs->context, sizeof cs->context, fmt, ap);
	va_end(ap);
}

static inline void
check_context_clear(void)
{
	check_state()->context[0] = '\0';
}

static inline void
check_near_at(struct check_site *s, double got, double want, double tol)
{
	double d = fabs(got - want);
	double ratio = tol > 0 ? d / tol : d > 0 ? INFINITY : 0;

	if (isnan(ratio))
		ratio = INFINITY;
	if (s->run == 1 || ratio > s->worst_ratio) {
		s->worst_ratio = ratio;
		s->worst_diff = d;
		s->worst_tol = tol;
	}
	if (!(d <= tol))
		check_fail_at(s, "got %.9g, want %.9g: difference %.3g > "
		    "tolerance %.3g", got, want, d, tol);
}

static inline void
check_eq_at(struct check_site *s, long long got, long long want)
{
	if (got != want)
		check_fail_at(s, "got %lld, want %lld", got, want);
}

static inline void
check_str_at(struct check_site *s, const char *got, const char *want)
{
	if (got == NULL || want == NULL ? got != want : strcmp(got, want) != 0)
		check_fail_at(s, "got \"%s\", want \"%s\"",
		    got ? got : "(null)", want ? want : "(null)");
}

static inline void
check_contains_at(struct check_site *s, const char *got, const char *part)
{
	if (got == NULL || strstr(got, part) == NULL)
		check_fail_at(s, "\"%s\" lacks \"%s\"", got ? got : "(null)",
		    part);
}

/* The site of this expansion: a static per macro use, so each line of
 * source keeps its own counts. */
#define CHECK_SITE_(what, is_near) \
	static struct check_site check_site_ = { __FILE__, __LINE__, what, \
	    is_near, 0, 0, 0, 0, 0, NULL }; \
	struct check_site *check_s_ = check_site_enter(&check_site_)

#define CHECK(cond) do { \
	CHECK_SITE_("CHECK(" #cond ")", 0); \
	if (!(cond)) \
		check_fail_at(check_s_, "is false"); \
} while (0)

#define CHECK_MSG(cond, ...) do { \
	CHECK_SITE_("CHECK(" #cond ")", 0); \
	if (!(cond)) \
		check_fail_at(check_s_, __VA_ARGS__); \
} while (0)

#define CHECK_EQ(got, want) do { \
	CHECK_SITE_("CHECK_EQ(" #got ", " #want ")", 0); \
	check_eq_at(check_s_, (long long)(got), (long long)(want)); \
} while (0)

#define CHECK_NEAR(got, want, tol) do { \
	CHECK_SITE_("CHECK_NEAR(" #got ", " #want ", " #tol ")", 1); \
	check_near_at(check_s_, (double)(got), (double)(want), \
	    (double)(tol)); \
} while (0)

#define CHECK_STR(got, want) do { \
	CHECK_SITE_("CHECK_STR(" #got ", " #want ")", 0); \
	check_str_at(check_s_, (got), (want)); \
} while (0)

#define CHECK_CONTAINS(got, part) do { \
	CHECK_SITE_("CHECK_CONTAINS(" #got ", " #part ")", 0); \
	check_contains_at(check_s_, (got), (part)); \
} while (0)

#define CHECK_FAIL(...) do { \
	CHECK_SITE_("CHECK_FAIL", 0); \
	check_fail_at(check_s_, __VA_ARGS__); \
} while (0)

/* The summary; the exit status for main to return: 0 when every check
 * passed, 1 when one failed or none ran (a test that checks nothing
 * proves nothing). */
static inline int
check_done(void)
{
	struct check_state *cs = check_state();

	cs->finished = 1;
	check_print_summary();
	if (cs->run == 0) {
		fprintf(stderr, "FAIL: no check ran\n");
		return 1;
	}
	return cs->failed > 0 ? 1 : 0;
}

/* Stop here and skip (77), saying why; a failure already counted still
 * fails the test. */
__attribute__((format(printf, 1, 2), noreturn))
static inline void
check_skip(const char *fmt, ...)
{
	struct check_state *cs = check_state();
	va_list ap;

	cs->finished = 1;
	fflush(stdout);
	printf("SKIP: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	check_print_summary();
	exit(cs->failed > 0 ? 1 : 77);
}

/* The shared data folder: RECFUSE_DATA, else ../shared/data beside the
 * source tree (top_srcdir) or the working directory.  It is not checked
 * here: the benches say themselves what is missing.  (Built once, on the
 * heap: its length is the environment's.) */
static inline const char *
check_data_root(void)
{
	static char *built;
	const char *d = getenv("RECFUSE_DATA"), *top = getenv("top_srcdir");
	size_t n;

	if (d != NULL && *d != '\0')
		return d;
	if (top == NULL || *top == '\0')
		return "../shared/data";
	if (built == NULL) {
		n = strlen(top) + sizeof "/../shared/data";
		if ((built = malloc(n)) == NULL)
			return "../shared/data";
		snprintf(built, n, "%s/../shared/data", top);
	}
	return built;
}

/* The data folder when must_exist (a path inside it) is there.  Missing
 * data skips the test (77), or fails it under CI=true, where the data
 * must be present. */
static inline const char *
check_data_dir(const char *must_exist)
{
	const char *d = check_data_root(), *ci = getenv("CI");
	char path[4608];
	struct stat sb;

	snprintf(path, sizeof path, "%s/%s", d, must_exist);
	if (stat(path, &sb) == 0)
		return d;
	if (ci != NULL && strcmp(ci, "true") == 0) {
		CHECK_FAIL("data file %s missing (CI=true)", path);
		exit(check_done());
	}
	check_skip("data file %s missing", path);
}

#endif
