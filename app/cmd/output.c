/* output: table, TSV, CSV and JSON printers for batch mode. */
#include "app/cmd/output.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_CELL_WIDTH 60

int
output_format_parse(const char *name)
{
	if (strcmp(name, "table") == 0)
		return OUT_TABLE;
	if (strcmp(name, "tsv") == 0)
		return OUT_TSV;
	if (strcmp(name, "csv") == 0)
		return OUT_CSV;
	if (strcmp(name, "json") == 0)
		return OUT_JSON;
	return -1;
}

/* Write n bytes of s with control characters shown as '?': cell text comes
 * from imported files and SQL, and an ESC sequence must not reach the
 * terminal (nor a newline break the columns).  keep_nl keeps '\n' and '\t'
 * (message lines).  Tables go through table_format_text(), which does the
 * same. */
static void
put_clean(FILE *f, const char *s, size_t n, int keep_nl)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && !(keep_nl && (c == '\n' || c == '\t'))) ||
		    c == 0x7f)
			c = '?';
		fputc(c, f);
	}
}

/* Aligned columns (engine/core/table.c's layout); numbers right-aligned;
 * a last text column is printed whole and unpadded, other cells are cut
 * at MAX_CELL_WIDTH with a '~'. */
static void
print_aligned(FILE *f, const rf_table *t)
{
	rf_buf text = { 0 };

	if (table_format_text(t, MAX_CELL_WIDTH, &text) == 0 && text.len > 0)
		fwrite(text.data, 1, text.len, f);
	rf_buf_free(&text);
}

static void
print_tsv_cell(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '\t': fputs("\\t", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\\': fputs("\\\\", f); break;
		default: fputc(*s, f);
		}
	}
}

static void
jt_put(json_text *t, const void *p, size_t n)
{
	if (rf_buf_append(&t->b, p, n) < 0)
		t->failed = 1;
}

static void jt_printf(json_text *t, const char *fmt, ...) RF_PRINTF(2, 3);

static void
jt_printf(json_text *t, const char *fmt, ...)
{
	char buf[64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof buf)
		t->failed = 1;
	else
		jt_put(t, buf, (size_t)n);
}

static void
json_string(json_text *b, const char *s)
{
	jt_put(b, "\"", 1);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			jt_printf(b, "\\%c", c);
		else if (c == '\n')
			jt_put(b, "\\n", 2);
		else if (c == '\t')
			jt_put(b, "\\t", 2);
		else if (c == '\r')
			jt_put(b, "\\r", 2);
		else if (c < 0x20 || c == 0x7f)
			jt_printf(b, "\\u%04x", c);
		else
			jt_put(b, s, 1);
	}
	jt_put(b, "\"", 1);
}

/* A numeric column's cell is printed bare only when it is a JSON number. */
static int
is_json_number(const char *s)
{
	char *end;

	if (*s == '\0' || strcmp(s, "nan") == 0 || strcmp(s, "inf") == 0 ||
	    strcmp(s, "-inf") == 0)
		return 0;
	strtod(s, &end);
	return *end == '\0' && (s[0] == '-' || (s[0] >= '0' && s[0] <= '9'));
}

void
output_json_key(const char *name, char *buf, size_t n)
{
	size_t len = 0;
	int sep = 0;

	if (n == 0)
		return;
	for (const unsigned char *p = (const unsigned char *)name;
	    p != NULL && *p != '\0' && len + 5 < n; p++) {
		const char *word = NULL;
		char one[2] = { 0, 0 };

		if (*p == '%')
			word = "pct";
		else if (*p == '@')
			word = "at";
		else if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p >= 0x80)
			one[0] = (char)*p;
		else if (*p >= 'A' && *p <= 'Z')
			one[0] = (char)(*p - 'A' + 'a');
		if (word == NULL && one[0] == '\0') {
			sep = len > 0;
			continue;
		}
		/* "share%" and "P@10": the symbol is a word of its own. */
		if (sep || (word != NULL && len > 0) ||
		    (len > 0 && word == NULL && (p[-1] == '%' || p[-1] == '@')))
			buf[len++] = '_';
		sep = 0;
		len += (size_t)snprintf(buf + len, n - len, "%s",
		    word ? word : one);
	}
	if (len == 0)
		len = (size_t)snprintf(buf, n, "table");
	buf[len < n ? len : n - 1] = '\0';
}

/* key unless keys (a list of "\0"-ended names) has it, else key_2, key_3:
 * an object's keys stay distinct (two columns of one name in `sql`). */
static void
distinct_key(json_text *keys, const char *key, char *out, size_t n)
{
	for (int k = 1;; k++) {
		int taken = 0;

		if (k == 1)
			snprintf(out, n, "%s", key);
		else
			snprintf(out, n, "%.*s_%d", (int)(n - 12), key, k);
		for (size_t at = 0; at < keys->b.len;
		    at += strlen((char *)keys->b.data + at) + 1)
			if (strcmp((char *)keys->b.data + at, out) == 0)
				taken = 1;
		if (!taken)
			break;
	}
	jt_put(keys, out, strlen(out) + 1);
}

/* One row of t as an object, with plain, distinct keys. */
static void
json_row(json_text *b, const rf_table *t, int r)
{
	json_text keys = { { 0 }, 0 };
	char plain[128], key[140];

	jt_put(b, "{", 1);
	for (int c = 0; c < t->ncols; c++) {
		const char *s = table_get(t, r, c);

		if (c > 0)
			jt_put(b, ", ", 2);
		output_json_key(t->names[c], plain, sizeof plain);
		distinct_key(&keys, plain, key, sizeof key);
		json_string(b, key);
		jt_put(b, ": ", 2);
		if (s == NULL)
			jt_put(b, "null", 4);
		else if (t->types[c] != COL_TEXT && is_json_number(s))
			jt_put(b, s, strlen(s));
		else
			json_string(b, s);
	}
	jt_put(b, "}", 1);
	b->failed |= keys.failed;
	rf_buf_free(&keys.b);
}

/* The rows of t as an array of objects, on one line. */
static void
json_rows(json_text *b, const rf_table *t)
{
	jt_put(b, "[", 1);
	for (int r = 0; r < t->nrows; r++) {
		if (r > 0)
			jt_put(b, ", ", 2);
		json_row(b, t, r);
	}
	jt_put(b, "]", 1);
}

static void
print_json(FILE *f, const rf_table *t)
{
	json_text b = { { 0 }, 0 };

	json_rows(&b, t);
	if (b.failed)
		fputs("recfuse: out of memory writing JSON\n", stderr);
	else if (b.b.data != NULL)
		fwrite(b.b.data, 1, b.b.len, f);
	fputc('\n', f);
	rf_buf_free(&b.b);
}

void
output_table(FILE *f, const rf_table *t, enum output_format format)
{
	switch (format) {
	case OUT_TABLE:
		print_aligned(f, t);
		break;
	case OUT_TSV:
	case OUT_CSV:
		for (int c = 0; c < t->ncols; c++) {
			if (c > 0)
				fputc(format == OUT_TSV ? '\t' : ',', f);
			(format == OUT_TSV ? print_tsv_cell :
			    table_csv_field)(f, t->names[c]);
		}
		fputc('\n', f);
		for (int r = 0; r < t->nrows; r++) {
			for (int c = 0; c < t->ncols; c++) {
				const char *s = table_get(t, r, c);

				if (c > 0)
					fputc(format == OUT_TSV ? '\t' : ',',
					    f);
				if (s != NULL)
					(format == OUT_TSV ? print_tsv_cell :
					    table_csv_field)(f, s);
			}
			fputc('\n', f);
		}
		break;
	case OUT_JSON:
		print_json(f, t);
		break;
	}
	fflush(f);
}

/* --- batch mode ------------------------------------------------------------ */

static void
batch_text(void *ud, int is_error, const char *line)
{
	output_batch_state *st = ud;

	if (st->format == OUT_JSON && st->open) {
		/* Into the document; errors still reach a person on stderr. */
		if (is_error) {
			if (st->errors.b.len > 0)
				jt_put(&st->errors, "\n", 1);
			jt_put(&st->errors, line, strlen(line));
		} else {
			jt_put(&st->messages, ", ", 2);
			json_string(&st->messages, line);
			return;
		}
	}
	if (is_error) {
		fflush(stdout);
		fputs("recfuse: ", stderr);
		put_clean(stderr, line, strlen(line), 1);
		fputc('\n', stderr);
	} else {
		FILE *f = st->format == OUT_TABLE ? stdout : stderr;

		put_clean(f, line, strlen(line), 1);
		fputc('\n', f);
		fflush(f);
	}
}

static void
batch_table(void *ud, const rf_table *t)
{
	const output_batch_state *st = ud;

	output_table(stdout, t, st->format);
}

/* The document's own keys, never a part's. */
#define KEYS_TAKEN "command\0ok\0messages\0error"

static void
batch_begin(void *ud, const char *command)
{
	output_batch_state *st = ud;

	json_text *all[] = { &st->doc, &st->messages, &st->errors, &st->keys };

	for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) {
		all[k]->b.len = 0;
		all[k]->failed = 0;
	}
	snprintf(st->command, sizeof st->command, "%s", command);
	jt_put(&st->keys, KEYS_TAKEN, sizeof KEYS_TAKEN);
	st->open = 1;
}

static void
batch_part(void *ud, const char *key, const rf_table *t, int record)
{
	output_batch_state *st = ud;
	char plain[128], name[140];

	if (!st->open) {
		output_table(stdout, t, st->format);
		return;
	}
	output_json_key(key != NULL ? key : t->title != NULL ? t->title :
	    "rows", plain, sizeof plain);
	distinct_key(&st->keys, plain, name, sizeof name);
	jt_put(&st->doc, ", ", 2);
	json_string(&st->doc, name);
	jt_put(&st->doc, ": ", 2);
	if (record)
		json_row(&st->doc, t, 0);
	else
		json_rows(&st->doc, t);
}

/* The command's document, on one line; when an allocation failed on
 * the way, a document that says so (built without one). */
static void
batch_end(void *ud, int status)
{
	output_batch_state *st = ud;
	json_text b = { { 0 }, 0 };

	if (!st->open)
		return;
	st->open = 0;
	jt_printf(&b, "{\"command\": ");
	json_string(&b, st->command);
	jt_printf(&b, ", \"ok\": %s", status < 0 ? "false" : "true");
	if (st->doc.b.len > 0)
		jt_put(&b, st->doc.b.data, st->doc.b.len);
	if (st->messages.b.len > 0) {
		jt_printf(&b, ", \"messages\": [");
		jt_put(&b, st->messages.b.data + 2, st->messages.b.len - 2);
		jt_put(&b, "]", 1);
	}
	if (st->errors.b.len > 0) {
		jt_put(&st->errors, "", 1);
		jt_printf(&b, ", \"error\": ");
		if (!st->errors.failed)
			json_string(&b, (char *)st->errors.b.data);
	}
	jt_put(&b, "}\n", 2);
	if (b.failed || st->doc.failed || st->messages.failed ||
	    st->errors.failed || st->keys.failed) {
		fputs("{\"command\": \"\", \"ok\": false, \"error\": \"out of "
		    "memory writing the document\"}\n", stdout);
		fputs("recfuse: out of memory writing the JSON document\n",
		    stderr);
	} else
		fwrite(b.b.data, 1, b.b.len, stdout);
	fflush(stdout);
	rf_buf_free(&b.b);
}

/* On a terminal only (a log or a pipe gets the final line alone): the
 * status rewritten in place on stderr, erased at the end. */
static void
batch_progress(void *ud, const char *line)
{
	static int tty = -1;

	(void)ud;
	if (tty < 0)
		tty = isatty(fileno(stderr));
	if (!tty)
		return;
	if (line != NULL) {
		fputc('\r', stderr);
		put_clean(stderr, line, strlen(line), 1);
	} else
		fputc('\r', stderr);
	fputs("\033[K", stderr);
	fflush(stderr);
}

cmd_output
output_batch(output_batch_state *st, enum output_format format)
{
	cmd_output o = { batch_text, batch_table, batch_progress, st, NULL, NULL,
	    NULL };

	memset(st, 0, sizeof *st);
	st->format = format;
	if (format == OUT_JSON) {
		o.begin = batch_begin;
		o.end = batch_end;
		o.part = batch_part;
	}
	return o;
}

void
output_batch_free(output_batch_state *st)
{
	rf_buf_free(&st->doc.b);
	rf_buf_free(&st->messages.b);
	rf_buf_free(&st->errors.b);
	rf_buf_free(&st->keys.b);
}
