/* cmd-data: the data commands: import, import-items, stats, rejects, users,
 * items, sql. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/cmd/cmd.h"
#include "engine/ingest/ingest.h"
#include "engine/store/query.h"
#include "engine/store/store.h"
#include "engine/store/summary.h"

static store *
ctx_store(cmd_ctx *ctx)
{
	return workbench_store(ctx->wb);
}

/* Fill ingest options from the command's --options. */
static int
import_options(cmd_ctx *ctx, const char *cmd, const cmd_args *a,
    ingest_opts *o, int items)
{
	rf_error err = { { 0 } };
	const char *v;

	ingest_opts_default(o);
	o->cancel = ctx->cancel;
	o->force = args_opt(a, "force") != NULL;
	if ((v = args_opt(a, "format")) != NULL) {
		int f = ingest_format_parse(v);
		int is_items = f == FMT_ITEMS_UITEM || f == FMT_ITEMS_CSV ||
		    f == FMT_ITEMS_GENERIC;

		if (f < 0 || (f != FMT_AUTO && is_items != items)) {
			cmd_error(ctx, "%s: unknown format '%s' (%s)", cmd, v,
			    items ? "auto, uitem, movies-csv, items" :
			    "auto, movielens, ml-csv, taobao, generic");
			return -1;
		}
		o->format = (ingest_format)f;
	}
	if ((v = args_opt(a, "map")) != NULL &&
	    ingest_parse_map(o, v, &err) < 0) {
		cmd_error(ctx, "%s: %s", cmd, err.msg);
		return -1;
	}
	if ((v = args_opt(a, "weights")) != NULL &&
	    ingest_parse_weights(o, v, &err) < 0) {
		cmd_error(ctx, "%s: %s", cmd, err.msg);
		return -1;
	}
	if ((v = args_opt(a, "delim")) != NULL) {
		if (strcmp(v, "tab") == 0 || strcmp(v, "\\t") == 0)
			o->delim = '\t';
		else if (strlen(v) == 1 && v[0] != '"')
			o->delim = v[0];
		else {
			cmd_error(ctx, "%s: --delim: one character or 'tab', "
			    "got '%s'", cmd, v);
			return -1;
		}
	}
	if ((v = args_opt(a, "header")) != NULL) {
		if (strcmp(v, "yes") == 0)
			o->header = 1;
		else if (strcmp(v, "no") == 0)
			o->header = 0;
		else {
			cmd_error(ctx, "%s: --header: yes or no, got '%s'", cmd,
			    v);
			return -1;
		}
	}
	return 0;
}

/* An import's status line (cmd_progress): rows so far, their rate, the
 * share of the file read and the time left, at most four times a
 * second. */
struct import_status {
	cmd_ctx *ctx;
	const char *path;
	double started, shown;
};

static void
import_status(void *ud, int64_t done, int64_t total, int64_t rows)
{
	struct import_status *s = ud;
	double now = rf_monotonic(), took = now - s->started, left;
	char count[32], eta[32];

	if (now - s->shown < 0.25 || took <= 0 || rows <= 0 || done >= total)
		return;
	s->shown = now;
	if (rows >= 1000000)
		snprintf(count, sizeof count, "%.2f M rows", rows / 1e6);
	else
		snprintf(count, sizeof count, "%lld rows", (long long)rows);
	left = took * (double)(total - done) / (double)done;
	if (left >= 60)
		snprintf(eta, sizeof eta, "%d min %02d s", (int)(left / 60),
		    (int)left % 60);
	else
		snprintf(eta, sizeof eta, "%.0f s", left);
	cmd_progress(s->ctx, "%s: %s, %.2f M rows/s, %.0f%% read, %s left",
	    s->path, count, rows / took / 1e6, 100.0 * (double)done /
	    (double)total, eta);
}

static void
report_import(cmd_ctx *ctx, const char *path, const ingest_result *r,
    int items)
{
	cmd_printf(ctx, "%s: import #%lld (%s): %lld rows read, %lld %s, "
	    "%lld rejected, %lld duplicates; %lld new users, %lld new items; "
	    "%.2f s", path, (long long)r->import_id,
	    ingest_format_name(r->format), (long long)r->rows_read,
	    (long long)r->accepted, items ? "items described" : "events",
	    (long long)r->rejected, (long long)r->duplicates,
	    (long long)r->new_users, (long long)r->new_items, r->seconds);
	if (r->rejected > 0)
		cmd_printf(ctx, "%s: %lld rows rejected; `rejects` lists them "
		    "with line and reason", path, (long long)r->rejected);
}

static int
import_paths(cmd_ctx *ctx, const cmd_args *a, int items)
{
	const char *cmd = items ? "import-items" : "import";
	ingest_opts o;
	int failed = 0;

	if (items && args_opt(a, "force") != NULL) {
		cmd_error(ctx, "import-items: --force does not apply: item "
		    "files are never refused as imported before (importing "
		    "one again updates the items)");
		return -1;
	}
	if (import_options(ctx, cmd, a, &o, items) < 0)
		return -1;
	for (int i = 0; i < a->argc; i++) {
		rf_error err = { { 0 } };
		struct import_status status = { ctx, a->argv[i], rf_monotonic(),
		    0 };
		ingest_result r;
		int rc;

		memset(&r, 0, sizeof r);
		o.progress = import_status;
		o.progress_ud = &status;
		rc = items ? ingest_items(ctx_store(ctx), a->argv[i], &o, &r,
		    &err) : ingest_events(ctx_store(ctx), a->argv[i], &o, &r,
		    &err);
		cmd_progress_end(ctx);
		if (rc < 0) {
			cmd_error(ctx, "%s: %s", cmd, err.msg);
			failed = 1;
			break;
		}
		report_import(ctx, a->argv[i], &r, items);
		workbench_data_changed(ctx->wb);
	}
	return failed ? -1 : 0;
}

static int
cmd_import_exec(cmd_ctx *ctx, const cmd_args *a)
{
	return import_paths(ctx, a, 0);
}

const cmd_entry cmd_import_entry = {
	.name = "import",
	.alias = NULL,
	.options = "format= force map= delim= header= weights=",
	.min_args = 1,
	.max_args = -1,
	.usage = "import [--format auto|movielens|ml-csv|taobao|generic] "
	    "[--map user=N,item=N,type=N,time=N,value=N] [--delim C] "
	    "[--header yes|no] [--weights pv=1,fav=2,cart=3,buy=4] [--force] "
	    "PATH...",
	.help = "Import behaviour logs into the store (one transaction per file).\n"
	    "The format is sniffed unless --format is given; --map, --delim\n"
	    "and --header lay out a generic file (without --format they make\n"
	    "the file one), and an option that does not apply to the format\n"
	    "is refused.  Bad rows are recorded in `rejects` with line and\n"
	    "reason; a file with no good row is refused; exact duplicates are\n"
	    "dropped and counted.  The same content is refused a second time\n"
	    "unless --force.",
	.flags = CMD_WRITES,
	.complete = { "path" },
	.exec = cmd_import_exec,
};

static int
cmd_import_items_exec(cmd_ctx *ctx, const cmd_args *a)
{
	return import_paths(ctx, a, 1);
}

const cmd_entry cmd_import_items_entry = {
	.name = "import-items",
	.alias = NULL,
	.options = "format= force delim=",
	.min_args = 1,
	.max_args = -1,
	.usage = "import-items [--format auto|uitem|movies-csv|items] "
	    "[--delim C] PATH...",
	.help = "Import item metadata: titles, categories, genres (ml-100k\n"
	    "u.item in latin-1, MovieLens movies.csv, or a tab/comma file with\n"
	    "a header item,title,category).",
	.flags = CMD_WRITES,
	.complete = { "path" },
	.exec = cmd_import_items_exec,
};

/* Run one of the store's summary queries and print its table. */
static int
print_summary(cmd_ctx *ctx, const char *cmd, rf_table *t, rf_error *err)
{
	if (t == NULL) {
		cmd_error(ctx, "%s: %s", cmd, err->msg);
		return -1;
	}
	cmd_print_table(ctx, t);
	table_free(t);
	return 0;
}

static int
cmd_stats_exec(cmd_ctx *ctx, const cmd_args *a)
{
	rf_error err = { { 0 } };
	int rc;

	(void)a;
	rc = print_summary(ctx, "stats", store_stats(ctx_store(ctx), &err),
	    &err);
	if (rc == 0 && store_count(ctx_store(ctx), "imports") > 0)
		rc = print_summary(ctx, "stats",
		    store_imports(ctx_store(ctx), &err), &err);
	return rc;
}

const cmd_entry cmd_stats_entry = {
	.name = "stats",
	.options = "",
	.min_args = 0,
	.max_args = 0,
	.usage = "stats",
	.help = "Events, users, items, density, behaviour mix, time span and the\n"
	    "counts of every import.",
	.flags = CMD_BESIDE,
	.exec = cmd_stats_exec,
};

/* --- check ---------------------------------------------------------------- */

static int
cmd_check_exec(cmd_ctx *ctx, const cmd_args *a)
{
	rf_error err = { { 0 } };
	rf_table *t;
	int problems, n;

	(void)a;
	if ((t = workbench_check(ctx->wb, &problems, &err)) == NULL) {
		cmd_error(ctx, "check: %s", err.msg);
		return -1;
	}
	n = t->nrows;
	cmd_print_table(ctx, t);
	table_free(t);
	if (problems > 0) {
		cmd_error(ctx, "check: %d of %d parts damaged or unreadable "
		    "(see their detail)", problems, n);
		return -1;
	}
	cmd_printf(ctx, "check: all %d parts sound", n);
	return 0;
}

const cmd_entry cmd_check_entry = {
	.name = "check",
	.options = "",
	.min_args = 0,
	.max_args = 0,
	.usage = "check",
	.help = "Check the store: SQLite's integrity check of the file, every\n"
	    "stored split against the data and every saved model read back as\n"
	    "a load reads it (its checksum, header and parameters; in full\n"
	    "when it was saved for the current split).  One row per part with\n"
	    "its status (ok, DAMAGED, failed, other data) and what to do;\n"
	    "fails when any part is damaged.",
	.exec = cmd_check_exec,
};

static int
cmd_rejects_exec(cmd_ctx *ctx, const cmd_args *a)
{
	rf_error err = { { 0 } };
	long limit;

	if (args_int(ctx, a, "limit", 20, 1, 100000000, &limit) < 0)
		return -1;
	return print_summary(ctx, "rejects",
	    store_rejects(ctx_store(ctx), (int)limit, &err), &err);
}

const cmd_entry cmd_rejects_entry = {
	.name = "rejects",
	.options = "limit=",
	.min_args = 0,
	.max_args = 0,
	.usage = "rejects [--limit N]",
	.help = "Rows that imports rejected, with file, line, reason and text.",
	.flags = CMD_BESIDE,
	.exec = cmd_rejects_exec,
};

static int
cmd_users_exec(cmd_ctx *ctx, const cmd_args *a)
{
	rf_error err = { { 0 } };
	long top;

	if (args_int(ctx, a, "top", 10, 1, 100000000, &top) < 0)
		return -1;
	return print_summary(ctx, "users",
	    store_top_users(ctx_store(ctx), (int)top, &err), &err);
}

const cmd_entry cmd_users_entry = {
	.name = "users",
	.options = "top=",
	.min_args = 0,
	.max_args = 0,
	.usage = "users [--top N]",
	.help = "The most active users, with their behaviour counts.",
	.flags = CMD_BESIDE,
	.exec = cmd_users_exec,
};

static int
cmd_items_exec(cmd_ctx *ctx, const cmd_args *a)
{
	rf_error err = { { 0 } };
	long top;

	if (args_int(ctx, a, "top", 10, 1, 100000000, &top) < 0)
		return -1;
	return print_summary(ctx, "items",
	    store_top_items(ctx_store(ctx), (int)top, &err), &err);
}

const cmd_entry cmd_items_entry = {
	.name = "items",
	.options = "top=",
	.min_args = 0,
	.max_args = 0,
	.usage = "items [--top N]",
	.help = "The most popular items, with titles, categories and behaviour\n"
	    "counts.",
	.flags = CMD_BESIDE,
	.exec = cmd_items_exec,
};

/* A cap on the rows `sql` keeps in memory: a query without a LIMIT over a
 * recursive CTE would otherwise grow until the process dies. */
#define SQL_MAX_ROWS 1000000
/* The time a query may take unless --timeout says otherwise: a script
 * must not hang on a runaway query; at the screen Ctrl-C stops one too,
 * so the limit is longer there. */
#define SQL_BATCH_SECONDS 5
#define SQL_TUI_SECONDS 30

/* The raw text is "[--timeout S] QUERY" (`sql` takes the rest of its line
 * verbatim): the seconds, and where the query starts; -1 + a message when
 * the option is malformed. */
static int
sql_timeout(cmd_ctx *ctx, const char *raw, double *seconds,
    const char **query)
{
	static const char opt[] = "--timeout";
	const char *p = raw + sizeof opt - 1;
	char *end;

	*query = raw;
	if (strncmp(raw, opt, sizeof opt - 1) != 0 || (*p != ' ' &&
	    *p != '\t' && *p != '='))
		return 0;
	p++;
	while (*p == ' ' || *p == '\t')
		p++;
	*seconds = strtod(p, &end);
	if (end == p || (*end != ' ' && *end != '\t' && *end != '\0') ||
	    !(*seconds >= 0 && *seconds <= 1e6)) {
		cmd_error(ctx, "sql: --timeout wants seconds from 0 (no limit) "
		    "to 1e6, not '%.*s'", (int)strcspn(p, " \t"), p);
		return -1;
	}
	while (*end == ' ' || *end == '\t')
		end++;
	if (*end == '\0') {
		cmd_error(ctx, "sql: --timeout S needs a query after it");
		return -1;
	}
	*query = end;
	return 0;
}

static int
cmd_sql_exec(cmd_ctx *ctx, const cmd_args *a)
{
	rf_error err = { { 0 } };
	double seconds = ctx->events != NULL ? SQL_TUI_SECONDS :
	    SQL_BATCH_SECONDS;
	const char *query;
	rf_table *t;
	int timed_out = 0;

	if (sql_timeout(ctx, a->argv[0], &seconds, &query) < 0)
		return -1;
	t = store_query_limited(ctx_store(ctx), query, SQL_MAX_ROWS,
	    ctx->cancel, seconds, &timed_out, &err);
	if (t == NULL) {
		/* The store's messages already start with "sql: ". */
		if (timed_out)
			cmd_error(ctx, "%s; `sql --timeout S QUERY` gives it S "
			    "seconds, --timeout 0 no limit", err.msg);
		else
			cmd_error(ctx, "%s", err.msg);
		return -1;
	}
	cmd_print_table(ctx, t);
	if (t->nrows >= SQL_MAX_ROWS)
		cmd_error(ctx, "sql: only the first %d rows are shown; add "
		    "LIMIT/OFFSET for the rest", SQL_MAX_ROWS);
	table_free(t);
	return 0;
}

const cmd_entry cmd_sql_entry = {
	.name = "sql",
	.options = "",
	.min_args = 1,
	.max_args = 1,
	.usage = "sql [--timeout S] QUERY",
	.help = "Run one read-only SQL query on the store (writes, ATTACH,\n"
	    "PRAGMA writes and extension loading are denied).  Tables: imports,\n"
	    "events, users, items, behaviors, rejects, splits, runs, epochs,\n"
	    "saved_models, model_chunks, settings.  A query stops after 5 s\n"
	    "in batch mode and 30 s on the screen (or on Ctrl-C); --timeout S\n"
	    "gives it S seconds, --timeout 0 no limit.",
	.flags = CMD_RAW | CMD_BESIDE,
	.exec = cmd_sql_exec,
};
