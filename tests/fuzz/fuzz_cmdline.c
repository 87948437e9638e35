/* fuzz_cmdline: command text on arbitrary bytes: the quoting rules
 * (engine/core/words.c: every word quoted by words_quote splits back to
 * itself) and the command parser of app/cmd (a line split into commands,
 * each looked up and its options parsed against its entry, as running it
 * would, without running any). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/cmd/dispatch.h"
#include "engine/core/words.h"
#include "tests/fuzz/fuzz.h"

static void
discard_text(void *ud, int is_error, const char *line)
{
	(void)ud;
	(void)is_error;
	(void)line;
}

static void
discard_table(void *ud, const rf_table *t)
{
	(void)ud;
	(void)t;
}

/* Each word of the first command, quoted, reads back as itself. */
static void
check_quoting(const char *line)
{
	char **words = NULL, **back = NULL, buf[8192];
	int n = 0, m = 0;
	rf_error err;

	if (words_split(line, &words, &n, &err) < 0)
		return;
	for (int k = 0; k < n; k++) {
		if (words_quote(words[k], buf, sizeof buf) == NULL)
			continue;	/* too long for buf: said so */
		if (words_split(buf, &back, &m, &err) < 0 || m != 1 ||
		    strcmp(back[0], words[k]) != 0)
			abort();
		words_free(back, m);
		back = NULL;
	}
	words_free(words, n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cmd_ctx ctx;
	char *line = malloc(size + 1);

	if (line == NULL)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	memset(&ctx, 0, sizeof ctx);
	ctx.out.text = discard_text;
	ctx.out.table = discard_table;
	cmd_line_flags(line);
	cmd_parse_line(&ctx, line);
	check_quoting(line);
	{
		const char *p = line;

		while (*p != '\0') {
			const char *end = words_command_end(p);

			if (end < p || end > line + strlen(line))
				abort();
			p = *end == ';' ? end + 1 : end;
		}
	}
	free(line);
	return 0;
}
