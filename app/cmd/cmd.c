/* cmd: the command table, the line parser and the dispatcher (tmux's
 * cmd_entry / cmd_find / cmd_parse, VisiData's "every action is a command"). */
#include "app/cmd/cmd.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const cmd_entry cmd_view_entry, cmd_save_display_entry,
    cmd_save_session_entry;
extern const cmd_entry cmd_fuse_entry, cmd_weights_entry, cmd_tune_entry,
    cmd_explain_entry, cmd_refit_entry;
extern const cmd_entry cmd_user_entry;
extern const cmd_entry cmd_stop_entry;
extern const cmd_entry cmd_split_entry, cmd_train_entry, cmd_models_entry,
    cmd_eval_entry, cmd_recommend_entry, cmd_export_entry;

/* The one table.  Order is the order of `help`. */
static const cmd_entry *const cmd_entries[] = {
	&cmd_help_entry,
	&cmd_import_entry,
	&cmd_import_items_entry,
	&cmd_stats_entry,
	&cmd_rejects_entry,
	&cmd_users_entry,
	&cmd_items_entry,
	&cmd_sql_entry,
	&cmd_split_entry,
	&cmd_train_entry,
	&cmd_stop_entry,
	&cmd_models_entry,
	&cmd_eval_entry,
	&cmd_recommend_entry,
	&cmd_export_entry,
	&cmd_fuse_entry,
	&cmd_weights_entry,
	&cmd_tune_entry,
	&cmd_explain_entry,
	&cmd_refit_entry,
	&cmd_user_entry,
	&cmd_view_entry,
	&cmd_save_display_entry,
	&cmd_save_session_entry,
	&cmd_quit_entry,
	NULL
};

const cmd_entry *const *
cmd_table(void)
{
	return cmd_entries;
}

const cmd_entry *
cmd_find(const char *name, rf_error *err)
{
	const cmd_entry *const *e, *found = NULL;
	size_t len = strlen(name);
	int matches = 0;
	rf_buf list = { 0 };

	for (e = cmd_entries; *e != NULL; e++) {
		if (strcmp((*e)->name, name) == 0 ||
		    ((*e)->alias != NULL && strcmp((*e)->alias, name) == 0))
			return *e;
	}
	for (e = cmd_entries; *e != NULL; e++) {
		if (strncmp((*e)->name, name, len) == 0) {
			rf_buf_printf(&list, "%s%s", matches ? ", " : "",
			    (*e)->name);
			found = *e;
			matches++;
		}
	}
	if (matches == 1) {
		rf_buf_free(&list);
		return found;
	}
	if (matches == 0)
		rf_fail(err, "unknown command: %s (try `help`)", name);
	else
		rf_fail(err, "ambiguous command: %s, could be: %s", name,
		    (char *)list.data);
	rf_buf_free(&list);
	return NULL;
}

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
	if (ctx->out.table != NULL && t != NULL)
		ctx->out.table(ctx->out.ud, t);
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

/* Does the entry's template know option name; does it take a value? */
static const char *
template_lookup(const char *tmpl, const char *name, size_t len, int *takes)
{
	const char *p = tmpl;

	while (p != NULL && *p != '\0') {
		const char *end = p;

		while (*end != '\0' && *end != ' ')
			end++;
		{
			size_t n = (size_t)(end - p);
			int value = n > 0 && p[n - 1] == '=';

			if (value)
				n--;
			if (n == len && strncmp(p, name, len) == 0) {
				*takes = value;
				return p;
			}
		}
		while (*end == ' ')
			end++;
		p = end;
	}
	return NULL;
}

static void
free_words(char **words, int n)
{
	for (int i = 0; i < n; i++)
		free(words[i]);
	free(words);
}

/* Split a command into words: blanks separate; '...' keeps text verbatim;
 * "..." allows \" and \\; a backslash escapes one character; '#' at the
 * start of a word starts a comment. */
static int
split_words(const char *s, char ***words_out, int *n_out, rf_error *err)
{
	char **words = NULL;
	int n = 0;

	for (;;) {
		rf_buf w = { 0 };
		char **grown;
		int oom = 0;

		while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			s++;
		if (*s == '\0' || *s == '#')
			break;
		while (*s != '\0' && *s != ' ' && *s != '\t' && *s != '\n' &&
		    *s != '\r') {
			if (*s == '\'') {
				const char *q = strchr(s + 1, '\'');

				if (q == NULL) {
					rf_buf_free(&w);
					goto unterminated;
				}
				oom |= rf_buf_append(&w, s + 1,
				    (size_t)(q - s - 1));
				s = q + 1;
			} else if (*s == '"') {
				s++;
				while (*s != '"') {
					if (*s == '\0') {
						rf_buf_free(&w);
						goto unterminated;
					}
					if (*s == '\\' && (s[1] == '"' ||
					    s[1] == '\\'))
						s++;
					oom |= rf_buf_append(&w, s++, 1);
				}
				s++;
			} else {
				if (*s == '\\' && s[1] != '\0')
					s++;
				oom |= rf_buf_append(&w, s++, 1);
			}
		}
		oom |= rf_buf_append(&w, "", 1);
		grown = realloc(words, (size_t)(n + 2) * sizeof *words);
		if (grown == NULL) {
			rf_buf_free(&w);
			free_words(words, n);
			return rf_fail(err, "out of memory");
		}
		words = grown;
		if (oom) {	/* a word with a hole in it must not run */
			rf_buf_free(&w);
			free_words(words, n);
			return rf_fail(err, "out of memory");
		}
		words[n++] = (char *)w.data;
		words[n] = NULL;
	}
	*words_out = words;
	*n_out = n;
	return 0;
unterminated:
	free_words(words, n);
	return rf_fail(err, "unterminated quote");
}

/* Parse words[1..] against the entry's template. */
static int
parse_args(cmd_ctx *ctx, const cmd_entry *e, char **words, int n,
    cmd_args *a)
{
	int only_positional = 0;

	memset(a, 0, sizeof *a);
	a->argv = calloc((size_t)n + 1, sizeof *a->argv);
	if (a->argv == NULL) {
		cmd_error(ctx, "%s: out of memory", e->name);
		return -1;
	}
	for (int i = 1; i < n; i++) {
		const char *w = words[i];

		if (!only_positional && strcmp(w, "--") == 0) {
			only_positional = 1;
			continue;
		}
		if (!only_positional && w[0] == '-' && w[1] == '-') {
			const char *name = w + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			int takes = 0;
			const char *t = template_lookup(e->options ? e->options :
			    "", name, len, &takes);

			if (t == NULL) {
				cmd_error(ctx, "%s: unknown option --%.*s",
				    e->name, (int)len, name);
				return cmd_usage(ctx, e);
			}
			if (a->nopts == CMD_MAX_OPTS) {
				cmd_error(ctx, "%s: too many options", e->name);
				return -1;
			}
			a->opts[a->nopts].name = words[i] + 2;
			words[i][2 + len] = '\0';	/* cut at '=' */
			if (takes) {
				if (eq != NULL)
					a->opts[a->nopts].value =
					    words[i] + 2 + len + 1;
				else if (i + 1 < n)
					a->opts[a->nopts].value = words[++i];
				else {
					cmd_error(ctx, "%s: option --%s needs "
					    "a value", e->name, name);
					return cmd_usage(ctx, e);
				}
			} else if (eq != NULL) {
				cmd_error(ctx, "%s: option --%s takes no "
				    "value", e->name, name);
				return cmd_usage(ctx, e);
			}
			a->nopts++;
			continue;
		}
		a->argv[a->argc++] = words[i];
	}
	if (a->argc < e->min_args ||
	    (e->max_args >= 0 && a->argc > e->max_args))
		return cmd_usage(ctx, e);
	return 0;
}

/* Find the end of one command in a line: an unquoted ';' or the end. */
static const char *
command_end(const char *s)
{
	const char *start = s;
	char quote = 0;

	for (; *s != '\0'; s++) {
		if (quote) {
			if (*s == '\\' && quote == '"' && s[1] != '\0')
				s++;
			else if (*s == quote)
				quote = 0;
		} else if (*s == '\'' || *s == '"') {
			quote = *s;
		} else if (*s == '\\' && s[1] != '\0') {
			s++;
		} else if (*s == ';') {
			break;
		} else if (*s == '#' && (s == start || s[-1] == ' ' ||
		    s[-1] == '\t')) {
			/* a comment runs to the end of the line */
			return s + strlen(s);
		}
	}
	return s;
}

static int
run_one(cmd_ctx *ctx, const char *text)
{
	rf_error err = { { 0 } };
	char **words = NULL;
	int n = 0, rc;
	const cmd_entry *e;
	cmd_args a;

	if (split_words(text, &words, &n, &err) < 0) {
		cmd_error(ctx, "%s", err.msg);
		return -1;
	}
	if (n == 0) {
		free_words(words, n);
		return 0;
	}
	if ((e = cmd_find(words[0], &err)) == NULL) {
		cmd_error(ctx, "%s", err.msg);
		free_words(words, n);
		return -1;
	}
	if ((e->flags & CMD_WRITES) && ctx->wb != NULL &&
	    store_check_writable(workbench_store(ctx->wb), e->name, &err) < 0) {
		cmd_error(ctx, "%s", err.msg);
		free_words(words, n);
		return -1;
	}
	if (e->flags & CMD_RAW) {
		/* Everything after the command word, verbatim. */
		const char *p = text;
		char *raw, *argv[2];

		while (*p == ' ' || *p == '\t')
			p++;
		while (*p != '\0' && *p != ' ' && *p != '\t')
			p++;
		while (*p == ' ' || *p == '\t')
			p++;
		raw = strdup(p);
		if (raw == NULL) {
			free_words(words, n);
			return -1;
		}
		for (size_t l = strlen(raw); l > 0 &&
		    isspace((unsigned char)raw[l - 1]); l--)
			raw[l - 1] = '\0';
		memset(&a, 0, sizeof a);
		argv[0] = raw;
		argv[1] = NULL;
		a.argv = argv;
		a.argc = *raw != '\0';
		if (a.argc < e->min_args)
			rc = cmd_usage(ctx, e);
		else
			rc = e->exec(ctx, &a);
		free(raw);
		free_words(words, n);
		return rc;
	}
	if (parse_args(ctx, e, words, n, &a) < 0) {
		free(a.argv);
		free_words(words, n);
		return -1;
	}
	rc = e->exec(ctx, &a);
	free(a.argv);
	free_words(words, n);
	return rc < 0 ? -1 : 0;
}

/* Fusion weights change in memory (a slider moving); unless the TUI
 * keeps them until the slider stops, they are stored after every line. */
static int
save_settings(cmd_ctx *ctx, int rc)
{
	rf_error err = { { 0 } };

	if (ctx->defer_save || ctx->wb == NULL ||
	    !workbench_fusion_unsaved(ctx->wb))
		return rc;
	if (workbench_fusion_save(ctx->wb, &err) < 0) {
		cmd_error(ctx, "the fusion settings were not stored: %s",
		    err.msg);
		return -1;
	}
	return rc;
}

int
cmd_run_line(cmd_ctx *ctx, const char *line)
{
	const char *p = line;

	while (*p != '\0') {
		const char *end = command_end(p);
		char *one = strndup(p, (size_t)(end - p));
		int rc;

		if (one == NULL)
			return -1;
		rc = run_one(ctx, one);
		free(one);
		if (rc < 0)
			return save_settings(ctx, -1);
		if (ctx->quit)
			return save_settings(ctx, 0);
		if (ctx->cancel != NULL && *ctx->cancel)
			return save_settings(ctx, -1);
		p = *end == ';' ? end + 1 : end;
	}
	return save_settings(ctx, 0);
}

/* --- help and quit --------------------------------------------------------- */

#define HELP_SUMMARY_MAX 96

/* The first sentence of a help text, its lines joined, cut at a word
 * near HELP_SUMMARY_MAX (malloc'd). */
static char *
help_summary(const char *help)
{
	char *s = strdup(help);
	size_t len;

	if (s == NULL)
		return NULL;
	for (char *p = s; *p != '\0'; p++) {
		if (*p == '\n')
			*p = ' ';
		if (*p == '.' && (p[1] == '\0' || p[1] == ' ' ||
		    p[1] == '\n')) {
			p[1] = '\0';
			break;
		}
	}
	if ((len = strlen(s)) > HELP_SUMMARY_MAX) {
		char *cut = s + HELP_SUMMARY_MAX - 3;

		while (cut > s + HELP_SUMMARY_MAX / 2 && *cut != ' ')
			cut--;
		strcpy(cut, "...");
	}
	return s;
}

static int
cmd_help_exec(cmd_ctx *ctx, const cmd_args *a)
{
	rf_error err = { { 0 } };

	if (a->argc == 1) {
		const cmd_entry *e = cmd_find(a->argv[0], &err);

		if (e == NULL) {
			cmd_error(ctx, "help: %s", err.msg);
			return -1;
		}
		cmd_printf(ctx, "usage: %s", e->usage);
		if (e->alias != NULL)
			cmd_printf(ctx, "alias: %s", e->alias);
		cmd_printf(ctx, "%s", e->help);
		return 0;
	}
	{
		rf_table *t = table_new("commands");

		if (t == NULL)
			return -1;
		table_add_column(t, "command", COL_TEXT);
		table_add_column(t, "summary", COL_TEXT);
		for (const cmd_entry *const *e = cmd_entries; *e != NULL;
		    e++) {
			char *first = help_summary((*e)->help);

			table_begin_row(t);
			table_cell_text(t, (*e)->name);
			table_cell_text(t, first);
			free(first);
		}
		cmd_print_table(ctx, t);
		table_free(t);
		cmd_printf(ctx, "`help COMMAND` shows its usage; a unique prefix "
		    "of a command name is enough.");
	}
	return 0;
}

const cmd_entry cmd_help_entry = {
	.name = "help",
	.alias = "?",
	.options = "",
	.min_args = 0,
	.max_args = 1,
	.usage = "help [COMMAND]",
	.help = "List the commands, or show one command's usage and help.",
	.complete = { "command" },
	.exec = cmd_help_exec,
};

static int
cmd_quit_exec(cmd_ctx *ctx, const cmd_args *a)
{
	(void)a;
	ctx->quit = 1;
	return 0;
}

const cmd_entry cmd_quit_entry = {
	.name = "quit",
	.alias = "q",
	.options = "",
	.min_args = 0,
	.max_args = 0,
	.usage = "quit",
	.help = "Leave recfuse.",
	.exec = cmd_quit_exec,
};
