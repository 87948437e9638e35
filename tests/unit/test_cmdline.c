/* test_cmdline: what the TUI learns from a command line without running
 * it (app/cmd/dispatch.c, cmd_line_flags): which lines may write (the
 * screens reload after them) and which are the TUI's own (kept out of
 * the session script); and the quoting rules of command text
 * (engine/core/words.c): a quoted word splits back to itself, a quoted
 * ';' or '#' is text. */
#include <stdlib.h>

#include "app/cmd/dispatch.h"
#include "engine/core/words.h"
#include "tests/lib/check.h"

static int
may_write(const char *line)
{
	return (cmd_line_flags(line) & CMD_WRITES) != 0;
}

static int
front_only(const char *line)
{
	return (cmd_line_flags(line) & CMD_FRONT) != 0;
}

static void
test_may_write(void)
{
	/* Reading commands, alone or together, with blanks and comments. */
	CHECK(!may_write("stats"));
	CHECK(!may_write("  users --top 3 ;stats;; "));
	CHECK(!may_write(""));
	CHECK(!may_write("stats # import x.csv"));
	CHECK(!may_write("q"));		/* an alias */
	CHECK(!may_write("rej --limit 2"));	/* a unique prefix */
	/* A writing command anywhere in the line. */
	CHECK(may_write("import x.csv"));
	CHECK(may_write("import-items items.tsv"));
	CHECK(may_write("stats; import x.csv; stats"));
	/* Unknown or ambiguous: it may be anything. */
	CHECK(may_write("nosuchcommand"));
	CHECK(may_write("stats; imp x.csv"));
	/* A ';' or '#' inside quotes is text, not a command or a comment. */
	CHECK(!may_write("sql select ';import x'"));
	CHECK(!may_write("user \"a;import\""));
	CHECK(may_write("user 'a#b'; import x.csv"));
	/* A line that does not split will fail: better reload. */
	CHECK(may_write("user 'open"));
}

static void
test_front_only(void)
{
	CHECK(front_only("view data"));
	CHECK(front_only("view data; save-display x.screen"));
	CHECK(front_only("save-session s.rf # the session"));
	CHECK(!front_only("view data; stats"));
	CHECK(!front_only("weights pop=1"));
	CHECK(!front_only(""));
	CHECK(!front_only("nosuchcommand"));
	CHECK(!front_only("view 'data"));
}

/* quote(s) splits back to the one word s. */
static void
check_round_trip(const char *s)
{
	char buf[256], **words = NULL;
	rf_error err = { { 0 } };
	int n = 0;

	if (words_quote(s, buf, sizeof buf) == NULL) {
		CHECK_FAIL("'%s' does not fit in %zu bytes quoted", s,
		    sizeof buf);
		return;
	}
	CHECK_EQ(words_split(buf, &words, &n, &err), 0);
	CHECK_EQ(n, 1);
	if (n == 1)
		CHECK_STR(words[0], s);
	words_free(words, n);
}

static void
test_quoting(void)
{
	static const char *const ids[] = {
		"plain", "with blank", "a;b", "#hash", "it's", "say \"hi\"",
		"back\\slash", "both ' and \"", "tab\there", "",
	};
	char buf[8];
	const char *end;

	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
		check_round_trip(ids[i]);
	/* A word that does not fit is refused, never cut. */
	CHECK(words_quote("abcdefgh", buf, sizeof buf) == NULL);
	CHECK(words_quote("a b c d", buf, sizeof buf) == NULL);
	CHECK_STR(words_quote("a b c", buf, sizeof buf), "'a b c'");
	/* The end of the first command. */
	end = words_command_end("user 'a;b'; stats");
	CHECK_STR(end, "; stats");
	end = words_command_end("stats # x; y");
	CHECK_STR(end, "");
}

int
main(void)
{
	test_may_write();
	test_front_only();
	test_quoting();
	return check_done();
}
