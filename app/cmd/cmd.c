/* cmd: the output and argument helpers every command handler uses. */
#include "app/cmd/cmd.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- output ------------------------------------------------------------ */

static void cmd_vemit(cmd_ctx *, int, const char *, const char *, va_list)
    RF_PRINTF(4, 0);

/* Handlers put "cmd: " before engine messages that often start with the
 * same word ("split: split: ..."): the length of such a repeated first
 * "word: ", to skip, or 0. */
static size_t
doubled_prefix(const char *text)
{
	size_t n = strcspn(text, ": ");

	if (n == 0 || text[n] != ':' || text[n + 1] != ' ')
		return 0;
	n += 2;
	return strncmp(text, text + n, n) == 0 ? n : 0;
}

static void
cmd_vemit(cmd_ctx *ctx, int is_error, const char *prefix, const char *fmt,
    va_list ap)
{
	rf_buf b = { 0 };
	va_list aq;
	int n;
	char *text;

	if (is_error && ctx->source != NULL && ctx->line > 0)
		rf_buf_printf(&b, "%s:%d: ", ctx->source, ctx->line);
	if (prefix != NULL)
		rf_buf_printf(&b, "%s", prefix);
	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0 || (text = malloc((size_t)n + 1)) == NULL) {
		rf_buf_free(&b);
		return;
	}
	vsnprintf(text, (size_t)n + 1, fmt, ap);
	rf_buf_printf(&b, "%s", text + doubled_prefix(text));
	free(text);
	if (b.data != NULL && ctx->out.text != NULL)
		ctx->out.text(ctx->out.ud, is_error, (char *)b.data);
	rf_buf_free(&b);
}

void
cmd_printf(cmd_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cmd_vemit(ctx, 0, NULL, fmt, ap);
	va_end(ap);
}

void
cmd_error(cmd_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cmd_vemit(ctx, 1, NULL, fmt, ap);
	va_end(ap);
}

void
cmd_print_table(cmd_ctx *ctx, const rf_table *t)
{
	cmd_print_part(ctx, NULL, t);
}

void
cmd_print_part(cmd_ctx *ctx, const char *key, const rf_table *t)
{
	if (t == NULL)
		return;
	if (ctx->out.part != NULL)
		ctx->out.part(ctx->out.ud, key, t, 0);
	else if (ctx->out.table != NULL)
		ctx->out.table(ctx->out.ud, t);
}

void
cmd_print_record(cmd_ctx *ctx, const char *key, const rf_table *t,
    const char *sentence)
{
	if (ctx->out.part != NULL && t != NULL && t->nrows > 0)
		ctx->out.part(ctx->out.ud, key, t, 1);
	else if (sentence != NULL)
		cmd_printf(ctx, "%s", sentence);
}

/* --- comparisons --------------------------------------------------------- */

const char *
cmd_comparison_verdict(const paired_diff *d)
{
	return d->lo > 0 ? "the fusion is better" : d->hi < 0 ?
	    "the single model is better" : "no clear difference";
}

rf_table *
cmd_comparison_table(const char *best, const char *metric,
    const paired_diff *d)
{
	rf_table *t = table_new("comparison");

	if (t == NULL || table_add_column(t, "best_single", COL_TEXT) < 0 ||
	    table_add_column(t, "metric", COL_TEXT) < 0 ||
	    table_add_column(t, "users", COL_INT) < 0 ||
	    table_add_column(t, "fused", COL_REAL) < 0 ||
	    table_add_column(t, "single", COL_REAL) < 0 ||
	    table_add_column(t, "difference", COL_REAL) < 0 ||
	    table_add_column(t, "low_95", COL_REAL) < 0 ||
	    table_add_column(t, "high_95", COL_REAL) < 0 ||
	    table_add_column(t, "verdict", COL_TEXT) < 0 ||
	    table_begin_row(t) < 0) {
		table_free(t);
		return NULL;
	}
	table_cell_text(t, best);
	table_cell_text(t, metric);
	table_cell_int(t, d->n);
	table_cell_real(t, d->a, 6);
	table_cell_real(t, d->b, 6);
	table_cell_real(t, d->mean, 6);
	if (isnan(d->lo)) {
		table_cell_null(t);
		table_cell_null(t);
	} else {
		table_cell_real(t, d->lo, 6);
		table_cell_real(t, d->hi, 6);
	}
	table_cell_text(t, cmd_comparison_verdict(d));
	return t;
}

/* --- progress --------------------------------------------------------- */

void
cmd_progress(cmd_ctx *ctx, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	if (ctx->out.progress == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	ctx->out.progress(ctx->out.ud, line);
}

void
cmd_progress_end(cmd_ctx *ctx)
{
	if (ctx->out.progress != NULL)
		ctx->out.progress(ctx->out.ud, NULL);
}

int
cmd_usage(cmd_ctx *ctx, const cmd_entry *e)
{
	cmd_error(ctx, "usage: %s", e->usage);
	return -1;
}

/* --- arguments ----------------------------------------------------------- */

const char *
args_opt(const cmd_args *a, const char *name)
{
	for (int i = 0; i < a->nopts; i++)
		if (strcmp(a->opts[i].name, name) == 0)
			return a->opts[i].value ? a->opts[i].value : "";
	return NULL;
}

int
args_int(cmd_ctx *ctx, const cmd_args *a, const char *name, long def,
    long min, long max, long *out)
{
	const char *v = args_opt(a, name);
	char *end;
	long n;

	if (v == NULL) {
		*out = def;
		return 0;
	}
	errno = 0;
	n = strtol(v, &end, 10);
	if (*v == '\0' || *end != '\0' || errno != 0 || n < min || n > max) {
		cmd_error(ctx, "--%s: expected an integer from %ld to %ld, "
		    "got '%s'", name, min, max, v);
		return -1;
	}
	*out = n;
	return 0;
}

int
args_double(cmd_ctx *ctx, const cmd_args *a, const char *name, double def,
    double min, double max, double *out)
{
	const char *v = args_opt(a, name);
	char *end;
	double d;

	if (v == NULL) {
		*out = def;
		return 0;
	}
	errno = 0;
	d = strtod(v, &end);
	if (*v == '\0' || *end != '\0' || errno != 0 || !isfinite(d) ||
	    d < min || d > max) {
		cmd_error(ctx, "--%s: expected a number from %g to %g, got '%s'",
		    name, min, max, v);
		return -1;
	}
	*out = d;
	return 0;
}
