/* dispatch: the command table, the line parser and the dispatcher (tmux's
 * cmd_entry / cmd_find / cmd_parse, VisiData's "every action is a
 * command"), with `help` and `quit`.  The top of app/cmd/: it lists the
 * entries of the handler files, which never call up to here. */
#include "app/cmd/dispatch.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/core/words.h"
#include "engine/models/registry.h"

/* The entries, one or more per handler file. */
extern const cmd_entry cmd_import_entry, cmd_import_items_entry,
    cmd_stats_entry, cmd_rejects_entry, cmd_users_entry, cmd_items_entry,
    cmd_sql_entry, cmd_check_entry;
extern const cmd_entry cmd_view_entry, cmd_save_display_entry,
    cmd_save_session_entry;
extern const cmd_entry cmd_fuse_entry, cmd_weights_entry, cmd_tune_entry,
    cmd_explain_entry, cmd_refit_entry;
extern const cmd_entry cmd_user_entry;
extern const cmd_entry cmd_stop_entry;
extern const cmd_entry cmd_split_entry, cmd_train_entry, cmd_models_entry,
    cmd_import_model_entry, cmd_eval_entry, cmd_recommend_entry,
    cmd_export_entry, cmd_set_entry;
static const cmd_entry cmd_help_entry, cmd_quit_entry;

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
	&cmd_check_entry,
	&cmd_split_entry,
	&cmd_train_entry,
	&cmd_stop_entry,
	&cmd_models_entry,
	&cmd_import_model_entry,
	&cmd_eval_entry,
	&cmd_recommend_entry,
	&cmd_export_entry,
	&cmd_fuse_entry,
	&cmd_weights_entry,
	&cmd_tune_entry,
	&cmd_explain_entry,
	&cmd_refit_entry,
	&cmd_user_entry,
	&cmd_set_entry,
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

/* --- parsing and running ------------------------------------------------ */

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

/* One command parsed: its entry and arguments, and the storage they point
 * into (free with parsed_free). */
struct parsed {
	const cmd_entry *e;
	char **words;
	int n;
	char *raw;		/* a CMD_RAW command's rest of the line */
	char *raw_argv[2];
	cmd_args a;
};

static void
parsed_free(struct parsed *p)
{
	if (p->raw == NULL)
		free(p->a.argv);
	free(p->raw);
	words_free(p->words, p->n);
	memset(p, 0, sizeof *p);
}

/* Look the command of words[0] up and parse its arguments against its
 * entry (text is the whole command, for CMD_RAW); p owns words from here.
 * 0, or -1 when the error is printed (everything freed then). */
static int
parse_words(cmd_ctx *ctx, const char *text, char **words, int n,
    struct parsed *p)
{
	rf_error err = { { 0 } };

	memset(p, 0, sizeof *p);
	p->words = words;
	p->n = n;
	if ((p->e = cmd_find(words[0], &err)) == NULL ||
	    ((p->e->flags & CMD_WRITES) && ctx->wb != NULL &&
	    store_check_writable(workbench_store(ctx->wb), p->e->name,
	    &err) < 0)) {
		cmd_error(ctx, "%s", err.msg);
		parsed_free(p);
		return -1;
	}
	if (p->e->flags & CMD_RAW) {
		/* Everything after the command word, verbatim. */
		const char *q = text;

		while (*q == ' ' || *q == '\t')
			q++;
		while (*q != '\0' && *q != ' ' && *q != '\t')
			q++;
		while (*q == ' ' || *q == '\t')
			q++;
		if ((p->raw = strdup(q)) == NULL) {
			cmd_error(ctx, "%s: out of memory", p->e->name);
			parsed_free(p);
			return -1;
		}
		for (size_t l = strlen(p->raw); l > 0 &&
		    isspace((unsigned char)p->raw[l - 1]); l--)
			p->raw[l - 1] = '\0';
		p->raw_argv[0] = p->raw;
		p->a.argv = p->raw_argv;
		p->a.argc = *p->raw != '\0';
		if (p->a.argc < p->e->min_args) {
			cmd_usage(ctx, p->e);
			parsed_free(p);
			return -1;
		}
		return 0;
	}
	if (parse_args(ctx, p->e, words, n, &p->a) < 0) {
		parsed_free(p);
		return -1;
	}
	return 0;
}

/* Run the command of words[0] (text is the whole command, for CMD_RAW);
 * frees words. */
static int
run_words(cmd_ctx *ctx, const char *text, char **words, int n)
{
	struct parsed p;
	int rc;

	if (parse_words(ctx, text, words, n, &p) < 0)
		return -1;
	if (!(p.e->flags & CMD_LEAN) && ctx->wb != NULL) {
		rf_error err = { { 0 } };

		if (workbench_names(ctx->wb, &err) < 0) {
			cmd_error(ctx, "%s: %s", p.e->name, err.msg);
			parsed_free(&p);
			return -1;
		}
	}
	rc = p.e->exec(ctx, &p.a);
	parsed_free(&p);
	/* Saved models the command's loads could not use, said once each;
	 * a damaged one fails the command (a script must notice), whatever
	 * it printed with the models that were sound. */
	if (ctx->wb != NULL) {
		const wb_damage *d;

		while ((d = workbench_damage_news(ctx->wb)) != NULL) {
			cmd_error(ctx, "%s", d->why);
			if (d->damaged)
				rc = -1;
		}
	}
	return rc < 0 ? -1 : 0;
}

int
cmd_parse_line(cmd_ctx *ctx, const char *line)
{
	const char *p = line;

	while (*p != '\0') {
		const char *end = words_command_end(p);
		char *one = strndup(p, (size_t)(end - p)), **words = NULL;
		struct parsed parsed;
		rf_error err = { { 0 } };
		int n = 0;

		if (one == NULL)
			return -1;
		if (words_split(one, &words, &n, &err) < 0) {
			cmd_error(ctx, "%s", err.msg);
			free(one);
			return -1;
		}
		if (n == 0)
			words_free(words, n);
		else if (parse_words(ctx, one, words, n, &parsed) < 0) {
			free(one);
			return -1;
		} else
			parsed_free(&parsed);
		free(one);
		p = *end == ';' ? end + 1 : end;
	}
	return 0;
}

/* One command; a printer that gathers documents (JSON) hears where it
 * begins and ends. */
static int
run_one(cmd_ctx *ctx, const char *text)
{
	rf_error err = { { 0 } };
	char **words = NULL;
	int n = 0, rc;

	if (words_split(text, &words, &n, &err) < 0) {
		if (ctx->out.begin != NULL)
			ctx->out.begin(ctx->out.ud, "");
		cmd_error(ctx, "%s", err.msg);
		if (ctx->out.end != NULL)
			ctx->out.end(ctx->out.ud, -1);
		return -1;
	}
	if (n == 0) {
		words_free(words, n);
		return 0;
	}
	if (ctx->out.begin != NULL) {
		/* Named as the table names it, whatever prefix or alias was
		 * typed. */
		const cmd_entry *e = cmd_find(words[0], &err);

		ctx->out.begin(ctx->out.ud, e != NULL ? e->name : words[0]);
	}
	rc = run_words(ctx, text, words, n);
	if (ctx->out.end != NULL)
		ctx->out.end(ctx->out.ud, rc);
	return rc;
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
		const char *end = words_command_end(p);
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

unsigned
cmd_line_flags(const char *line)
{
	unsigned writes = 0, front_only = CMD_FRONT;
	unsigned beside = CMD_BESIDE | CMD_BESIDE_READER;
	int any = 0;

	for (const char *p = line; *p != '\0';) {
		const char *end = words_command_end(p);
		char *one = strndup(p, (size_t)(end - p)), **words = NULL;
		rf_error err;
		int n = 0;

		/* A line that does not split will fail, but says so only
		 * when it runs: it may write, and it is not the TUI's. */
		if (one == NULL || words_split(one, &words, &n, &err) < 0) {
			free(one);
			return CMD_WRITES;
		}
		free(one);
		if (n > 0) {
			const cmd_entry *e = cmd_find(words[0], &err);

			if (e == NULL || (e->flags & CMD_WRITES))
				writes = CMD_WRITES;
			if (e == NULL || !(e->flags & CMD_FRONT))
				front_only = 0;
			if (e == NULL || !(e->flags & CMD_BESIDE))
				beside &= ~(unsigned)CMD_BESIDE;
			if (e == NULL || !(e->flags & (CMD_BESIDE |
			    CMD_BESIDE_READER)))
				beside &= ~(unsigned)CMD_BESIDE_READER;
			any = 1;
		}
		words_free(words, n);
		p = *end == ';' ? end + 1 : end;
	}
	return writes | (any ? front_only : 0) | beside;
}

/* --- help and quit --------------------------------------------------------- */

#define HELP_SUMMARY_MAX 96

char *
cmd_help_sentence(const cmd_entry *e)
{
	char *s = strdup(e->help);

	if (s == NULL)
		return NULL;
	for (char *p = s; *p != '\0'; p++) {
		/* An indented line starts a list or a table: not prose. */
		if (*p == '\n' && (p[1] == ' ' || p[1] == '\t')) {
			*p = '\0';
			break;
		}
		if (*p == '\n')
			*p = ' ';
		if (*p == '.' && (p[1] == '\0' || p[1] == ' ' ||
		    p[1] == '\n')) {
			p[1] = '\0';
			break;
		}
	}
	return s;
}

/* The first sentence of a help text cut at a word near HELP_SUMMARY_MAX
 * (malloc'd): the `help` table's summary column. */
static char *
help_summary(const cmd_entry *e)
{
	char *s = cmd_help_sentence(e);

	if (s != NULL && strlen(s) > HELP_SUMMARY_MAX) {
		char *cut = s + HELP_SUMMARY_MAX - 3;

		while (cut > s + HELP_SUMMARY_MAX / 2 && *cut != ' ')
			cut--;
		strcpy(cut, "...");
	}
	return s;
}

/* Does a positional of the entry take a model name? */
static int
takes_model(const cmd_entry *e)
{
	for (int i = 0; i < 4; i++)
		if (e->complete[i] != NULL &&
		    strcmp(e->complete[i], "model") == 0)
			return 1;
	return 0;
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
		if (takes_model(e)) {
			char names[512];

			/* From the registry: the models are named nowhere
			 * else. */
			model_names(names, sizeof names);
			cmd_printf(ctx, "Models: %s.", names);
		}
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
			char *first = help_summary(*e);

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

static const cmd_entry cmd_help_entry = {
	.name = "help",
	.alias = "?",
	.options = "",
	.min_args = 0,
	.max_args = 1,
	.usage = "help [COMMAND]",
	.help = "List the commands, or show one command's usage and help.",
	.complete = { "command" },
	.flags = CMD_BESIDE,
	.exec = cmd_help_exec,
};

static int
cmd_quit_exec(cmd_ctx *ctx, const cmd_args *a)
{
	(void)a;
	ctx->quit = 1;
	return 0;
}

static const cmd_entry cmd_quit_entry = {
	.name = "quit",
	.alias = "q",
	.options = "",
	.min_args = 0,
	.max_args = 0,
	.usage = "quit",
	.help = "Leave recfuse.",
	.flags = CMD_BESIDE,
	.exec = cmd_quit_exec,
};

