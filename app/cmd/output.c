/* output: table, TSV, CSV and JSON printers for batch mode. */
#include "app/cmd/output.h"

#include <stdlib.h>
#include <string.h>

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
json_string(rf_buf *b, const char *s)
{
	rf_buf_append(b, "\"", 1);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			rf_buf_printf(b, "\\%c", c);
		else if (c == '\n')
			rf_buf_append(b, "\\n", 2);
		else if (c == '\t')
			rf_buf_append(b, "\\t", 2);
		else if (c == '\r')
			rf_buf_append(b, "\\r", 2);
		else if (c < 0x20 || c == 0x7f)
			rf_buf_printf(b, "\\u%04x", c);
		else
			rf_buf_append(b, s, 1);
	}
	rf_buf_append(b, "\"", 1);
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
distinct_key(rf_buf *keys, const char *key, char *out, size_t n)
{
	for (int k = 1;; k++) {
		int taken = 0;

		if (k == 1)
			snprintf(out, n, "%s", key);
		else
			snprintf(out, n, "%.*s_%d", (int)(n - 12), key, k);
		for (size_t at = 0; at < keys->len;
		    at += strlen((char *)keys->data + at) + 1)
			if (strcmp((char *)keys->data + at, out) == 0)
				taken = 1;
		if (!taken)
			break;
	}
	rf_buf_append(keys, out, strlen(out) + 1);
}

/* One row of t as an object, with plain, distinct keys. */
static void
json_row(rf_buf *b, const rf_table *t, int r)
{
	rf_buf keys = { 0 };
	char plain[128], key[140];

	rf_buf_append(b, "{", 1);
	for (int c = 0; c < t->ncols; c++) {
		const char *s = table_get(t, r, c);

		if (c > 0)
			rf_buf_append(b, ", ", 2);
		output_json_key(t->names[c], plain, sizeof plain);
		distinct_key(&keys, plain, key, sizeof key);
		json_string(b, key);
		rf_buf_append(b, ": ", 2);
		if (s == NULL)
			rf_buf_append(b, "null", 4);
		else if (t->types[c] != COL_TEXT && is_json_number(s))
			rf_buf_append(b, s, strlen(s));
		else
			json_string(b, s);
	}
	rf_buf_append(b, "}", 1);
	rf_buf_free(&keys);
}

/* The rows of t as an array of objects, on one line. */
static void
json_rows(rf_buf *b, const rf_table *t)
{
	rf_buf_append(b, "[", 1);
	for (int r = 0; r < t->nrows; r++) {
		if (r > 0)
			rf_buf_append(b, ", ", 2);
		json_row(b, t, r);
	}
	rf_buf_append(b, "]", 1);
}

static void
print_json(FILE *f, const rf_table *t)
{
	rf_buf b = { 0 };

	json_rows(&b, t);
	if (b.data != NULL)
		fwrite(b.data, 1, b.len, f);
	fputc('\n', f);
	rf_buf_free(&b);
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
			if (st->errors.len > 0)
				rf_buf_append(&st->errors, "\n", 1);
			rf_buf_append(&st->errors, line, strlen(line));
		} else {
			rf_buf_append(&st->messages, ", ", 2);
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

	st->doc.len = st->messages.len = st->errors.len = st->keys.len = 0;
	snprintf(st->command, sizeof st->command, "%s", command);
	rf_buf_append(&st->keys, KEYS_TAKEN, sizeof KEYS_TAKEN);
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
	rf_buf_append(&st->doc, ", ", 2);
	json_string(&st->doc, name);
	rf_buf_append(&st->doc, ": ", 2);
	if (record)
		json_row(&st->doc, t, 0);
	else
		json_rows(&st->doc, t);
}

/* The command's document, on one line. */
static void
batch_end(void *ud, int status)
{
	output_batch_state *st = ud;
	rf_buf b = { 0 };

	if (!st->open)
		return;
	st->open = 0;
	rf_buf_printf(&b, "{\"command\": ");
	json_string(&b, st->command);
	rf_buf_printf(&b, ", \"ok\": %s", status < 0 ? "false" : "true");
	if (st->doc.len > 0)
		rf_buf_append(&b, st->doc.data, st->doc.len);
	if (st->messages.len > 0) {
		rf_buf_printf(&b, ", \"messages\": [");
		rf_buf_append(&b, st->messages.data + 2, st->messages.len - 2);
		rf_buf_append(&b, "]", 1);
	}
	if (st->errors.len > 0) {
		rf_buf_append(&st->errors, "", 1);
		rf_buf_printf(&b, ", \"error\": ");
		json_string(&b, (char *)st->errors.data);
	}
	rf_buf_append(&b, "}\n", 2);
	if (b.data != NULL)
		fwrite(b.data, 1, b.len, stdout);
	fflush(stdout);
	rf_buf_free(&b);
}

cmd_output
output_batch(output_batch_state *st, enum output_format format)
{
	cmd_output o = { batch_text, batch_table, st, NULL, NULL, NULL };

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
	rf_buf_free(&st->doc);
	rf_buf_free(&st->messages);
	rf_buf_free(&st->errors);
	rf_buf_free(&st->keys);
}
