/* recfuse: an interactive terminal workbench for recommendation models.
 * main: options and modes (batch -e/-f, commands from stdin, the TUI, or a
 * plain readline console). */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "app/cmd/dispatch.h"
#include "app/cmd/output.h"
#include "app/manual.h"
#include "app/tui/tui.h"
#include "engine/core/threads.h"
#include "engine/session/workbench.h"

#define DEFAULT_STORE "recfuse.db"

static volatile int cancel_flag;

static void
on_sigint(int sig)
{
	(void)sig;
	cancel_flag = 1;
}

/* Run lines from f; source names it in errors.  stop_on_error: scripts
 * stop at the first failing command, piped input goes on. */
static int
run_stream(cmd_ctx *ctx, FILE *f, const char *source, int stop_on_error)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int status = 0, lineno = 0;

	while ((n = getline(&line, &cap, f)) != -1) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		ctx->source = source;
		ctx->line = lineno;
		cancel_flag = 0;
		/* A NUL would silently cut the line short. */
		if ((size_t)n != strlen(line)) {
			cmd_error(ctx, "NUL byte in the line (a binary file?)");
			status = 1;
			if (stop_on_error)
				break;
			continue;
		}
		if (cmd_run_line(ctx, line) < 0) {
			status = 1;
			if (stop_on_error || cancel_flag)
				break;
		}
		if (ctx->quit)
			break;
	}
	/* getline() ends on a read error as on end of file (-f DIR). */
	if (ferror(f)) {
		fprintf(stderr, "recfuse: %s: read error: %s\n", source,
		    strerror(errno));
		status = 1;
	}
	free(line);
	ctx->source = NULL;
	ctx->line = 0;
	return status;
}

/* A plain readline console, for dumb terminals and --plain. */
static int
run_plain_console(cmd_ctx *ctx)
{
	int status = 0;
	char *line;

	while (!ctx->quit && (line = readline("recfuse> ")) != NULL) {
		if (*line != '\0')
			add_history(line);
		cancel_flag = 0;
		if (cmd_run_line(ctx, line) < 0)
			status = 1;
		free(line);
	}
	return status;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "read-only", no_argument, NULL, 'R' },
		{ "plain", no_argument, NULL, 'P' },
		{ "no-color", no_argument, NULL, 'C' },
		{ "no-colour", no_argument, NULL, 'C' },
		{ "no-unicode", no_argument, NULL, 'U' },
		{ "mouse", no_argument, NULL, 'M' },
		{ "script", required_argument, NULL, 'S' },
		{ "init", required_argument, NULL, 'I' },
		{ "man", no_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 }
	};
	const char *exec_text = NULL, *script = NULL, *tui_script = NULL;
	const char *store_path = DEFAULT_STORE;
	enum output_format format = OUT_TABLE;
	output_batch_state printer;
	int flags = STORE_CREATE, plain = 0, c, status = 0;
	struct tui_opts topts;
	rf_error err = { { 0 } };
	struct sigaction sa;
	cmd_ctx ctx;

	/* Under `ulimit -v`, OpenBLAS's own threads (started before main)
	 * may spin for ever on a failed map: start afresh without them
	 * (engine/core/threads.h).  If exec fails, carry on as before. */
	if (rf_blas_restart_wanted() && rf_blas_restart_env() == 0)
		execv("/proc/self/exe", argv);
	/* Widths of UTF-8 text need the locale's character set; numbers stay
	 * in the C locale so tables always print "0.5", never "0,5". */
	setlocale(LC_ALL, "");
	setlocale(LC_NUMERIC, "C");
	memset(&topts, 0, sizeof topts);
	topts.color = getenv("NO_COLOR") == NULL || *getenv("NO_COLOR") == '\0';
	topts.unicode = 1;
	while ((c = getopt_long(argc, argv, "e:f:o:hVCU", longopts, NULL)) !=
	    -1) {
		switch (c) {
		case 'e':
			exec_text = optarg;
			break;
		case 'f':
			script = optarg;
			break;
		case 'o':
			if ((int)(format = output_format_parse(optarg)) < 0) {
				fprintf(stderr, "recfuse: -o: table, tsv, csv "
				    "or json, not '%s'\n", optarg);
				return 2;
			}
			break;
		case 'R':
			flags = STORE_READONLY;
			break;
		case 'P':
			plain = 1;
			break;
		case 'C':
			topts.color = 0;
			break;
		case 'U':
			topts.unicode = 0;
			break;
		case 'M':
			topts.mouse = 1;
			break;
		case 'S':
			tui_script = optarg;
			break;
		case 'I':
			topts.init = optarg;
			break;
		case 'h':
			manual_usage(stdout);
			return 0;
		case 'V':
			manual_version(stdout);
			return 0;
		case 'm':
			manual_page(stdout);
			return ferror(stdout) ? 1 : 0;
		default:
			manual_usage(stderr);
			return 2;
		}
	}
	if (exec_text != NULL && script != NULL) {
		fprintf(stderr, "recfuse: -e and -f: one or the other\n");
		return 2;
	}
	if (optind < argc)
		store_path = argv[optind++];
	/* SQLite would open "" as a private temporary database: everything
	 * imported would vanish on exit. */
	if (*store_path == '\0') {
		fprintf(stderr, "recfuse: the store path is empty\n");
		return 2;
	}
	if (optind < argc) {
		fprintf(stderr, "recfuse: one store at a time; unexpected '%s'\n",
		    argv[optind]);
		manual_usage(stderr);
		return 2;
	}
	if (tui_script == NULL && getenv("RECFUSE_SCRIPT") != NULL &&
	    *getenv("RECFUSE_SCRIPT") != '\0')
		tui_script = getenv("RECFUSE_SCRIPT");

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);

	memset(&ctx, 0, sizeof ctx);
	/* A path that names no file gives a new store: the TUI says so. */
	topts.created = flags == STORE_CREATE && access(store_path, F_OK) != 0;
	ctx.wb = workbench_open(store_path, flags, &err);
	if (ctx.wb == NULL) {
		fprintf(stderr, "recfuse: %s\n", err.msg);
		return 1;
	}
	ctx.format = format;
	ctx.out = output_batch(&printer, format);
	ctx.cancel = &cancel_flag;

	if (exec_text != NULL) {
		status = cmd_run_line(&ctx, exec_text) < 0;
	} else if (script != NULL) {
		FILE *f = strcmp(script, "-") == 0 ? stdin : fopen(script, "r");

		if (f == NULL) {
			fprintf(stderr, "recfuse: %s: cannot open: %s\n", script,
			    strerror(errno));
			status = 1;
		} else {
			status = run_stream(&ctx, f,
			    f == stdin ? "<stdin>" : script, 1);
			if (f != stdin)
				fclose(f);
		}
	} else if (tui_script != NULL ||
	    (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))) {
		const char *term = getenv("TERM");

		if (!plain && tui_script == NULL &&
		    (term == NULL || strcmp(term, "dumb") == 0))
			plain = 1;
		topts.script = tui_script;
		if (plain)
			status = run_plain_console(&ctx);
		else {
			/* The screens show what comes, as it comes. */
			ctx.out.begin = NULL;
			ctx.out.end = NULL;
			ctx.out.part = NULL;
			status = tui_run(&ctx, &topts);
		}
	} else {
		status = run_stream(&ctx, stdin, "<stdin>", 0);
	}
	workbench_close(ctx.wb);
	output_batch_free(&printer);
	return status;
}
