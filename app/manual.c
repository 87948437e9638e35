/* manual: --help, --version and recfuse(1) (see manual.h).  The page is
 * roff with the man macros; its COMMANDS and MODELS sections are written
 * from the command table and the registry at run time, its OPTIONS from
 * the table --help prints.  Prose may name a model by its title between
 * '@' ("@ALS@"): the registry's name of it is put there, so that no model
 * name is written outside engine/models/. */
#include "config.h"

#include "app/manual.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <readline/readline.h>

#include "app/cmd/dispatch.h"
#include "engine/core/threads.h"
#include "engine/models/registry.h"
#include "engine/store/store.h"

#ifndef PKGDATADIR
#define PKGDATADIR "/usr/local/share/recfuse"
#endif
#ifndef PKGLIBEXECDIR
#define PKGLIBEXECDIR "/usr/local/libexec/recfuse"
#endif

/* The options of the command line, for --help and the page. */
static const struct manual_option {
	const char *flags;	/* "-e 'CMD; CMD'" */
	const char *help;
} options[] = {
	{ "-e 'CMD; CMD'", "run commands and exit" },
	{ "-f SCRIPT", "run a script of commands ('-' = stdin) and exit" },
	{ "-o FORMAT", "table, tsv, csv or json output for results" },
	{ "--read-only", "open the store read-only" },
	{ "--plain", "a plain line console instead of the TUI" },
	{ "-C, --no-color", "no colours (also when NO_COLOR is set)" },
	{ "-U, --no-unicode", "ASCII drawing only" },
	{ "--mouse", "let the TUI capture the mouse" },
	{ "--init FILE", "run FILE's commands in the TUI at start-up, then "
	    "stay (training runs live, one command at a time)" },
	{ "--script FILE", "drive the TUI from a key/command script (tests)" },
	{ "--man", "this manual page in roff (man -l <(recfuse --man))" },
	{ "-h, --help", "this help" },
	{ "-V, --version", "the version, and those of the libraries it runs "
	    "on" },
};

#define N_OPTIONS (sizeof options / sizeof options[0])

void
manual_usage(FILE *f)
{
	fputs("usage: recfuse [options] [STORE]\n"
	    "\n"
	    "An interactive workbench for recommendation models.  STORE is a\n"
	    "SQLite file (default recfuse.db), created when missing.\n"
	    "\n", f);
	for (size_t k = 0; k < N_OPTIONS; k++) {
		const char *h = options[k].help;
		int col = fprintf(f, "  %s%s", options[k].flags[1] == '-' ?
		    "    " : "", options[k].flags);

		/* Wrapped at 76 columns under the help column. */
		for (;;) {
			size_t n = strlen(h);

			if (col > 18) {
				fputc('\n', f);
				col = 0;
			}
			fprintf(f, "%*s", 20 - col, "");
			if (n > 56) {
				n = 56;
				while (n > 0 && h[n] != ' ')
					n--;
			}
			fprintf(f, "%.*s\n", (int)n, h);
			h += n;
			while (*h == ' ')
				h++;
			if (*h == '\0')
				break;
			col = 0;
		}
	}
	fputs("\n"
	    "Without -e/-f and without a terminal, commands are read from stdin.\n"
	    "`recfuse -e help` lists the commands; `man recfuse` says more.\n", f);
}

void
manual_version(FILE *f)
{
	fprintf(f, "recfuse %s\n", PACKAGE_VERSION);
	fprintf(f, "SQLite %s\n", store_library_version());
	fprintf(f, "%s\n", curses_version());
	fprintf(f, "GNU Readline %s\n", rl_library_version);
	fprintf(f, "%s\n", rf_blas_config());
}

/* --- roff ---------------------------------------------------------------- */

/* The registry's name of the model titled title (any case), or NULL. */
static const char *
model_by_title(const char *title, size_t n)
{
	for (const model_ops *const *m = model_all(); *m != NULL; m++)
		if ((*m)->title != NULL && strlen((*m)->title) == n &&
		    strncasecmp((*m)->title, title, n) == 0)
			return (*m)->name;
	return NULL;
}

/* Text for roff: '\' as \e, '-' as \- (a hyphen-minus, as options and
 * commands are typed), a leading '.' or '\'' made text; no_fill keeps
 * leading blanks (they are the layout of a list). */
static void
roff_text(FILE *f, const char *s, size_t n)
{
	int start = 1;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (start && (c == '.' || c == '\''))
			fputs("\\&", f);
		start = c == '\n';
		if (c == '\\')
			fputs("\\e", f);
		else if (c == '-')
			fputs("\\-", f);
		else
			fputc(c, f);
	}
}

/* s with every @Title@ of a model replaced by its name (malloc'd; NULL
 * when out of memory). */
static char *
with_names(const char *s)
{
	rf_buf b = { 0 };
	int failed = 0;

	while (*s != '\0' && !failed) {
		const char *end = *s == '@' ? strchr(s + 1, '@') : NULL;
		const char *name = end ? model_by_title(s + 1,
		    (size_t)(end - s - 1)) : NULL;

		if (name != NULL) {
			failed = rf_buf_append(&b, name, strlen(name)) < 0;
			s = end + 1;
		} else
			failed = rf_buf_append(&b, s++, 1) < 0;
	}
	if (failed || rf_buf_append(&b, "", 1) < 0) {
		rf_buf_free(&b);
		return NULL;
	}
	return (char *)b.data;
}

/* Page source: roff already, but for @Title@ (a model's name). */
static void
roff_source(FILE *f, const char *s)
{
	char *text = with_names(s);

	if (text != NULL)
		fputs(text, f);
	free(text);
}

/* Plain text with @Title@ put in, for roff. */
static void
roff_named(FILE *f, const char *s)
{
	char *text = with_names(s);

	if (text != NULL)
		roff_text(f, text, strlen(text));
	free(text);
}

/* A help text: lines joined as a paragraph; indented lines (a list, a
 * table) kept as they are, in no-fill mode. */
static void
roff_help(FILE *f, const char *help)
{
	int no_fill = 0;

	while (*help != '\0') {
		const char *nl = strchr(help, '\n');
		size_t n = nl ? (size_t)(nl - help) : strlen(help);
		int indented = help[0] == ' ';

		if (indented && !no_fill)
			fputs(".nf\n", f);
		else if (!indented && no_fill)
			fputs(".fi\n", f);
		no_fill = indented;
		roff_text(f, help, n);
		fputc('\n', f);
		help += n;
		if (*help == '\n')
			help++;
	}
	if (no_fill)
		fputs(".fi\n", f);
}

/* A tagged paragraph headed by text in bold. */
static void
roff_item(FILE *f, const char *text)
{
	fputs(".TP\n.B ", f);
	roff_text(f, text, strlen(text));
	fputc('\n', f);
}

static int
takes_model(const cmd_entry *e)
{
	for (int i = 0; i < 4; i++)
		if (e->complete[i] != NULL && strcmp(e->complete[i], "model")
		    == 0)
			return 1;
	return 0;
}

/* Every command of the table: usage, alias, help. */
static void
page_commands(FILE *f)
{
	char names[512];

	model_names(names, sizeof names);
	fputs(".SH COMMANDS\n"
	    "Every action is a command, in the TUI's console, in a script\n"
	    "(\\fB\\-f\\fR), on the command line (\\fB\\-e\\fR) or from standard\n"
	    "input; a unique prefix of a name is enough, and \\fB;\\fR\n"
	    "separates commands on a line, \\fB#\\fR starts a comment.\n"
	    "Options may come anywhere after the name.\n", f);
	for (const cmd_entry *const *e = cmd_table(); *e != NULL; e++) {
		roff_item(f, (*e)->usage);
		roff_help(f, (*e)->help);
		if ((*e)->alias != NULL) {
			fputs("Alias: \\fB", f);
			roff_text(f, (*e)->alias, strlen((*e)->alias));
			fputs("\\fR.\n", f);
		}
		if (takes_model(*e)) {
			fputs("Models: ", f);
			roff_text(f, names, strlen(names));
			fputs(".\n", f);
		}
	}
}

/* Every model of the registry with its parameters. */
static void
page_models(FILE *f)
{
	fputs(".SH MODELS\n"
	    "\\fBtrain\\fR \\fIMODEL\\fR [\\fIparam\\fR=\\fIvalue\\fR ...]"
	    " trains one of these (\\fBtrain\\fR \\fIMODEL\\fR \\fBhelp\\fR"
	    " lists its parameters); \\fBimport\\-model\\fR brings in models"
	    " trained elsewhere.\n", f);
	for (const model_ops *const *m = model_all(); *m != NULL; m++) {
		roff_item(f, (*m)->name);
		roff_text(f, (*m)->help, strlen((*m)->help));
		fprintf(f, "; %d epoch%s by default.\n", (*m)->default_epochs,
		    (*m)->default_epochs == 1 ? "" : "s");
		if ((*m)->nparams > 0)
			fputs("Parameters:\n.RS\n", f);
		for (int p = 0; p < (*m)->nparams; p++) {
			const model_param *mp = &(*m)->params[p];
			char line[256];

			snprintf(line, sizeof line, "%s=%g (%g to %g): %s",
			    mp->name, mp->def, mp->min, mp->max, mp->help);
			fputs(".br\n", f);
			roff_text(f, line, strlen(line));
			fputc('\n', f);
		}
		if ((*m)->nparams > 0)
			fputs(".RE\n", f);
	}
}

static void
page_options(FILE *f)
{
	fputs(".SH OPTIONS\n", f);
	for (size_t k = 0; k < N_OPTIONS; k++) {
		roff_item(f, options[k].flags);
		roff_text(f, options[k].help, strlen(options[k].help));
		fputs(".\n", f);
	}
}

static const char page_head[] =
".TH RECFUSE 1 \"\" \"recfuse " PACKAGE_VERSION "\" \"User Commands\"\n"
".SH NAME\n"
"recfuse \\- an interactive terminal workbench for recommendation models\n"
".SH SYNOPSIS\n"
".B recfuse\n"
"[\\fIoptions\\fR] [\\fISTORE\\fR]\n"
".br\n"
".B recfuse\n"
"[\\fIoptions\\fR] \\fISTORE\\fR \\fB\\-e\\fR '\\fICMD\\fR; \\fICMD\\fR ...'\n"
".br\n"
".B recfuse\n"
"[\\fIoptions\\fR] \\fISTORE\\fR \\fB\\-f\\fR \\fISCRIPT\\fR\n"
".SH DESCRIPTION\n"
"recfuse imports user\\-behaviour logs (views, favourites, carts, buys, "
"ratings) into an embedded SQLite store, trains several recommendation "
"models, shows their loss curves live, fuses them with weight sliders, "
"and explains for any user what is recommended and why.  Models trained "
"elsewhere (Spark MLlib's ALS on a cluster, a Python library, a SQL job) "
"are imported and fused beside its own.\n"
".PP\n"
"On a terminal, \\fBrecfuse\\fR \\fISTORE\\fR opens five screens: Data, "
"Train, Fusion, User and Log (keys \\fB1\\fR to \\fB5\\fR); \\fB:\\fR "
"opens the command console, \\fB?\\fR the help of a screen, \\fBq\\fR "
"quits.  Everything the screens do is a command (see COMMANDS), so the "
"same session runs from a script (\\fB\\-f\\fR), from the shell "
"(\\fB\\-e\\fR) or from standard input, and the Log screen's session "
"script replays it.  \\fISTORE\\fR is a SQLite file, created when "
"missing (default \\fIrecfuse.db\\fR).\n";

static const char page_formats[] =
".SH FORMATS\n"
".SS Behaviour logs (import)\n"
"The format is sniffed from the first lines, or given by \\fB\\-\\-format\\fR:\n"
".TP\n.B movielens\n"
"user, item, rating, time separated by tabs (MovieLens 100K \\fIu.data\\fR).\n"
".TP\n.B ml\\-csv\n"
"userId,movieId,rating,timestamp with a header (MovieLens \\fIratings.csv\\fR).\n"
".TP\n.B taobao\n"
"user,item,category,behavior,ts with behaviour pv, fav, cart or buy "
"(Alibaba's UserBehavior).\n"
".TP\n.B generic\n"
"any delimited file with a header naming user, item and optionally type, "
"time, value and category columns, or \\fB\\-\\-map\\fR "
"user=1,item=2,type=4,time=5,value=3; times as seconds, milliseconds or "
"YYYY\\-MM\\-DD HH[:MM[:SS]].\n"
".PP\n"
"\\fBimport\\-items\\fR reads MovieLens \\fIu.item\\fR (latin\\-1), "
"\\fImovies.csv\\fR, or a tab or comma file with a header "
"item,title,category.  Rows that cannot be read are kept with their line "
"and reason (\\fBrejects\\fR).\n"
".SS Models trained elsewhere (import\\-model)\n"
"\\fB\\-\\-factors\\fR \\fIUSERS ITEMS\\fR reads two factor tables: a "
"directory of part files as Spark writes a DataFrame "
"(\\fImodel.userFactors.write.json(path)\\fR: \\fIpart\\-*.json\\fR, one "
"object a line, \\fB{\"id\": 12, \"features\": [0.1, \\-0.2]}\\fR; "
"\\fI_SUCCESS\\fR and \\fI.crc\\fR files are passed over), a single such "
"file, or text lines \\fIid\\fR<TAB>\\fIf1 f2 ...\\fR.  The score of a "
"user and an item is the dot product of their factors.  \\fB\\-\\-scores\\fR "
"\\fIFILE\\fR reads user, item, score lines separated by tabs, commas or "
"blanks (a header line is passed over), or JSON lines with \\fBuser\\fR "
"(or userId), \\fBitem\\fR (or itemId) and \\fBscore\\fR (or rating, "
"prediction); a user is then scored on the items listed for them only.  "
"Ids are the external ids of the data; rows whose id the data lack are "
"counted, named and left out.\n"
".SS Exports\n"
".TP\n.B export recs\n"
"user<TAB>item<TAB>rank<TAB>score for every user, or CSV with the header "
"user,item,rank,score when the path ends in \\fI.csv\\fR.\n"
".TP\n.B export preds\n"
"user<TAB>item<TAB>prediction for the pairs of a file.\n"
".TP\n.B export factors\n"
"\\fIDIR\\fR/userFactors and \\fIDIR\\fR/itemFactors as Spark writes them "
"(\\fIpart\\-00000.json\\fR and \\fI_SUCCESS\\fR), which "
"\\fIspark.read.json\\fR and \\fBimport\\-model\\fR read back; ids are "
"written as numbers when every id is one.\n"
".SS Output (\\-o)\n"
"\\fBtable\\fR (aligned columns, the default), \\fBtsv\\fR and \\fBcsv\\fR "
"print result tables with a header line and send messages to standard "
"error.  \\fBjson\\fR prints one JSON document per command, on one line "
"(JSON lines: a script of ten commands prints ten lines), on standard "
"output:\n"
".PP\n"
".EX\n"
"{\"command\": \"NAME\", \"ok\": true, PART..., \"messages\": [\"...\"], "
"\"error\": \"...\"}\n"
".EE\n"
".PP\n"
"\\fBcommand\\fR is the command's full name, \\fBok\\fR false when it "
"failed (\\fBerror\\fR then says why, as standard error does); each "
"\\fIPART\\fR is a table as an array of objects, one per row, or a "
"record as one object, under a key of its own; \\fBmessages\\fR holds "
"the lines a person would read.  Keys are plain: lower case, letters, "
"digits and \\fB_\\fR (a column \"share%\" is \\fBshare_pct\\fR, "
"\"NDCG@10\" \\fBndcg_at_10\\fR); numbers are JSON numbers and missing "
"values null.  Commands that print several parts:\n";

/* One example per command with several parts: the line, its document
 * (shortened to a row per table).  tests/e2e/test_man.sh checks their
 * keys against the program's. */
static const struct manual_example {
	const char *line;
	const char *doc;
} examples[] = {
	{ "stats",
	  "{\"command\": \"stats\", \"ok\": true, \"stats\": [{\"key\": "
	  "\"events\", \"value\": \"54\"}], \"imports\": [{\"id\": 1, \"kind\": "
	  "\"events\", \"format\": \"taobao\", \"source\": \"tiny.csv\", "
	  "\"read\": 54, \"accepted\": 54, \"rejected\": 0, \"duplicates\": 0, "
	  "\"seconds\": 0.01}]}" },
	{ "eval --k 5",
	  "{\"command\": \"eval\", \"ok\": true, \"eval\": [{\"model\": "
	  "\"@EASE@\", \"rmse\": null, \"mae\": null, \"p_at_5\": 0.15, "
	  "\"r_at_5\": 0.75, \"ndcg_at_5\": 0.625, \"map_at_5\": 0.5833, "
	  "\"hr_at_5\": 0.75, \"mrr_at_5\": 0.5833, \"coverage\": 0.7333, "
	  "\"mean_pop\": 1.6}], \"comparison\": {\"best_single\": "
	  "\"@ItemKNN@\", \"metric\": \"ndcg@5\", \"users\": 4, \"fused\": "
	  "0.625, \"single\": 0.75, \"difference\": -0.125, \"low_95\": "
	  "-0.52275, \"high_95\": 0.27275, \"verdict\": \"no clear "
	  "difference\"}}" },
	{ "weights @EASE@=3 @ItemKNN@=1",
	  "{\"command\": \"weights\", \"ok\": true, \"fusion\": [{\"model\": "
	  "\"@EASE@\", \"weight\": 0.75, \"valid_ndcg_at_10\": 0.5, "
	  "\"test_ndcg_at_10\": 0.625, \"test_recall_at_10\": 0.75}], "
	  "\"settings\": {\"method\": \"weighted\", \"norm\": \"zscore\", "
	  "\"refitted\": 0, \"note\": \"\"}}" },
	{ "tune",
	  "{\"command\": \"tune\", \"ok\": true, \"choice\": {\"metric\": "
	  "\"ndcg@10\", \"chosen\": \"weights\", \"method\": \"weighted\", "
	  "\"norm\": \"zscore\", \"best_single\": \"@EASE@\", \"evaluations\": "
	  "212, \"seconds\": 0.4}, \"ways_to_fuse\": [{\"way\": \"single\", "
	  "\"valid\": 0.122, \"cross_valid\": 0.122, \"vs_single\": 0.0, "
	  "\"low_95_pct\": 0.0, \"high_95_pct\": 0.0, \"chosen\": \"\"}], "
	  "\"models\": [{\"model\": \"@EASE@\", \"weight\": 0.714, \"valid\": "
	  "0.122, \"test\": 0.1767}], \"valid_vs_single\": {\"best_single\": "
	  "\"@EASE@\", \"metric\": \"ndcg@10\", \"users\": 943, \"fused\": "
	  "0.1251, \"single\": 0.122, \"difference\": 0.0031, \"low_95\": "
	  "0.0004, \"high_95\": 0.0058, \"verdict\": \"the fusion is "
	  "better\"}, \"test_vs_single\": {\"best_single\": \"@EASE@\", "
	  "\"metric\": \"ndcg@10\", \"users\": 943, \"fused\": 0.1802, "
	  "\"single\": 0.1767, \"difference\": 0.0035, \"low_95\": -0.0011, "
	  "\"high_95\": 0.0081, \"verdict\": \"no clear difference\"}}" },
	{ "explain 1 4606018",
	  "{\"command\": \"explain\", \"ok\": true, \"contributions\": "
	  "[{\"model\": \"@EASE@\", \"share_pct\": 75.0, \"contribution\": 1.5, "
	  "\"score\": 0.0097, \"rank\": 1, \"reasons\": \"favourited item "
	  "1531036 (+0.00488)\"}], \"reasons\": [{\"model\": \"@EASE@\", "
	  "\"kind\": \"history\", \"item\": \"1531036\", \"title\": \"item "
	  "1531036\", \"behaviour\": \"favourited\", \"weight\": 0.0049, "
	  "\"contribution\": 0.0049}], \"messages\": [\"Recommended mostly by "
	  "EASE (75%) because you favourited item 1531036.\"]}" },
	{ "explain 1 --k 2",
	  "{\"command\": \"explain\", \"ok\": true, \"history\": [{\"key\": "
	  "\"items\", \"value\": \"5\"}], \"recommendations\": [{\"rank\": 1, "
	  "\"item\": \"4606018\", \"title\": \"item 4606018\", \"score\": 2.0, "
	  "\"why\": \"EASE 75%: you favourited item 1531036\"}]}" },
	{ "import-model spark --factors uf itf",
	  "{\"command\": \"import-model\", \"ok\": true, \"import\": "
	  "{\"model\": \"spark\", \"kind\": \"factors\", \"factors\": 10, "
	  "\"user_rows\": 943, \"item_rows\": 1682, \"unknown_users\": 0, "
	  "\"unknown_items\": 0, \"users_covered\": 943, \"items_covered\": "
	  "1682, \"duplicates\": 0, \"version\": 1, \"ndcg_at_10\": 0.1735, "
	  "\"recall_at_10\": 0.1006}}" },
	{ "help",
	  "{\"command\": \"help\", \"ok\": true, \"commands\": [{\"command\": "
	  "\"help\", \"summary\": \"List the commands, or show one command's "
	  "usage and help.\"}], \"messages\": [\"`help COMMAND` shows its "
	  "usage; a unique prefix of a command name is enough.\"]}" },
};

static void
page_examples(FILE *f)
{
	for (size_t k = 0; k < sizeof examples / sizeof examples[0]; k++) {
		fputs(".PP\n.EX\n$ recfuse STORE \\-o json \\-e '", f);
		roff_named(f, examples[k].line);
		fputs("'\n", f);
		roff_named(f, examples[k].doc);
		fputs("\n.EE\n", f);
	}
}

static const char page_tail[] =
".SH ENVIRONMENT\n"
".TP\n.B NO_COLOR\n"
"When set and not empty, the TUI draws without colours (as \\fB\\-C\\fR).\n"
".TP\n.B OPENBLAS_NUM_THREADS\n"
"The threads OpenBLAS may use for a large dense step that runs alone "
"(\\fB@EASE@\\fR trained in batch mode); recfuse otherwise keeps OpenBLAS "
"single\\-threaded under its own workers, one level of threads.  Unset: "
"single\\-threaded.\n"
".TP\n.B TERM\n"
"Unset or \\fBdumb\\fR: a plain line console instead of the TUI.\n"
".TP\n.B HOME\n"
"Where the console keeps its history (\\fI~/.recfuse_history\\fR).\n"
".TP\n.B RECFUSE_SCRIPT\n"
"A key and command script that drives the TUI, as \\fB\\-\\-script\\fR "
"(for tests).\n"
".TP\n.B RECFUSE_DATA\n"
"The folder of public datasets the test suite reads (\\fImake check\\fR; "
"by default \\fI../shared/data\\fR beside the source tree).\n"
".SH FILES\n"
/* Not justified: an install prefix can be one long unbreakable path
 * (make distcheck's is), which groff cannot spread over a line. */
".ad l\n"
".TP\n.I recfuse.db\n"
"The store when none is named: a SQLite file holding the imports, "
"events, users, items, rejected rows, splits, training runs with their "
"epochs, saved models and fusion settings.  \\fBsql\\fR queries it "
"read\\-only.\n"
".TP\n.I ~/.recfuse_history\n"
"The console's command history.\n"
".TP\n.I " PKGDATADIR "/samples\n"
"\\fItiny.csv\\fR (a hand\\-written Taobao\\-style log of 6 users), "
"\\fItiny\\-items.tsv\\fR (its item titles), \\fIdemo.rf\\fR (the demo "
"session script) and \\fIREADME.md\\fR.\n"
".TP\n.I " PKGLIBEXECDIR "/gen\\-taobao\n"
"A seeded generator of realistic Taobao\\-style logs of any size "
"(\\fB\\-\\-help\\fR).\n"
".ad\n"
".SH EXIT STATUS\n"
".TP\n.B 0\n"
"Every command succeeded.\n"
".TP\n.B 1\n"
"A command failed (\\fB\\-e\\fR and \\fB\\-f\\fR stop at the first that "
"fails and name the script line; commands from standard input go on), "
"or the store could not be opened.\n"
".TP\n.B 2\n"
"The command line was wrong (an unknown option, \\fB\\-e\\fR with "
"\\fB\\-f\\fR, two stores).\n"
".SH EXAMPLES\n"
"Import MovieLens 100K, hold out the last 20% of each user by time with "
"a validation part, train three models, fuse them and explain a "
"recommendation:\n"
".PP\n"
".EX\n"
"recfuse ml.db \\-e 'import u.data; import\\-items u.item'\n"
"recfuse ml.db \\-e 'split temporal 0.2 \\-\\-valid 0.1'\n"
"recfuse ml.db \\-e 'train @EASE@; train @ALS@ factors=64; train @ItemKNN@'\n"
"recfuse ml.db \\-e 'fuse weighted; tune; eval'\n"
"recfuse ml.db \\-e 'explain 196; explain 196 258 \\-\\-probe'\n"
".EE\n"
".PP\n"
"Train ALS on a cluster with Spark and bring it in (PySpark):\n"
".PP\n"
".EX\n"
"from pyspark.ml.recommendation import ALS\n"
"model = ALS(implicitPrefs=True, rank=64).fit(spark.read.csv(\"events.csv\", header=True, inferSchema=True))\n"
"model.userFactors.write.json(\"uf\"); model.itemFactors.write.json(\"itf\")\n"
"\n"
"recfuse ml.db \\-e 'import\\-model spark \\-\\-factors uf itf; weights spark=1 @EASE@=1; eval'\n"
".EE\n"
".PP\n"
"Hand the fused top\\-10 of every user to pandas, DuckDB or Spark:\n"
".PP\n"
".EX\n"
"recfuse ml.db \\-e 'export recs recs.csv \\-\\-model fused \\-\\-k 10'\n"
"recfuse ml.db \\-e 'export factors @ALS@ factors'   # spark.read.json(\"factors/userFactors\")\n"
".EE\n"
".PP\n"
"Read results as JSON lines:\n"
".PP\n"
".EX\n"
"recfuse ml.db \\-o json \\-e 'eval' | jq '.eval[] | {model, ndcg_at_10}'\n"
".EE\n"
".SH SEE ALSO\n"
".BR tmux (1);\n"
"The source tree's \\fIREADME.md\\fR, \\fIdocs/GUIDE.md\\fR (the screens) "
"and \\fIdocs/ARCHITECTURE.md\\fR.\n";

void
manual_page(FILE *f)
{
	roff_source(f, page_head);
	page_options(f);
	page_commands(f);
	page_models(f);
	roff_source(f, page_formats);
	page_examples(f);
	roff_source(f, page_tail);
}
