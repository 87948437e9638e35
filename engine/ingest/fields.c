/* fields: splitting lines and reading numbers (see fields.h). */
#include "engine/ingest/fields.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

field
field_trim(const char *p, size_t n, char delim)
{
	field f;

	while (n > 0 && (p[0] == ' ' || (p[0] == '\t' && delim != '\t')))
		p++, n--;
	while (n > 0 && (p[n - 1] == ' ' || (p[n - 1] == '\t' && delim != '\t')))
		n--;
	f.p = p;
	f.n = n;
	return f;
}

int
field_split(const char *s, size_t n, char delim, field *f, int max)
{
	const char *start = s, *end = s + n;
	int nf = 0;

	for (; s < end; s++) {
		if (*s != delim)
			continue;
		if (nf < max)
			f[nf] = field_trim(start, (size_t)(s - start), delim);
		nf++;
		start = s + 1;
	}
	if (nf < max)
		f[nf] = field_trim(start, (size_t)(end - start), delim);
	return nf + 1;
}

int
field_split_csv(const char *s, size_t n, char delim, char *out, field *f,
    int max)
{
	size_t i = 0, o = 0;
	int nf = 0;

	for (;;) {
		size_t start = o;

		while (i < n && s[i] == ' ')
			i++;
		if (i < n && s[i] == '"') {
			for (i++;; i++) {
				if (i >= n)
					return -1;
				if (s[i] == '"' && i + 1 < n && s[i + 1] == '"')
					out[o++] = s[i++];
				else if (s[i] == '"')
					break;
				else
					out[o++] = s[i];
			}
			for (i++; i < n && s[i] == ' '; i++)
				;
			if (i < n && s[i] != delim)
				return -1;
		} else {
			while (i < n && s[i] != delim)
				out[o++] = s[i++];
			while (o > start && out[o - 1] == ' ')
				o--;
		}
		if (nf < max) {
			f[nf].p = out + start;
			f[nf].n = o - start;
		}
		nf++;
		if (i >= n)
			return nf;
		i++;	/* the delimiter */
	}
}

int
field_is(const field *f, const char *s)
{
	return strlen(s) == f->n && strncasecmp(f->p, s, f->n) == 0;
}

int
field_int64(const field *f, int64_t *out)
{
	size_t i = 0;
	int neg = 0;
	int64_t v = 0;

	if (f->n > 0 && f->p[0] == '-') {
		neg = 1;
		i = 1;
	}
	if (i == f->n || f->n - i > 18)
		return -1;
	for (; i < f->n; i++) {
		unsigned d = (unsigned)(f->p[i] - '0');

		if (d > 9)
			return -1;
		v = v * 10 + d;
	}
	*out = neg ? -v : v;
	return 0;
}

int
field_is_integer(const field *f)
{
	size_t i = f->n > 0 && f->p[0] == '-';

	if (i == f->n)
		return 0;
	for (; i < f->n; i++)
		if ((unsigned)(f->p[i] - '0') > 9)
			return 0;
	return 1;
}

/* Integers skip strtod. */
int
field_number(const field *f, double *out)
{
	char buf[64];
	char *end;
	int64_t iv;
	size_t i;

	if (field_int64(f, &iv) == 0) {
		*out = (double)iv;
		return 0;
	}
	if (f->n == 0 || f->n >= sizeof buf)
		return -1;
	for (i = 0; i < f->n; i++)
		if (strchr("0123456789+-.eE", f->p[i]) == NULL)
			return -1;
	memcpy(buf, f->p, f->n);
	buf[f->n] = '\0';
	*out = strtod(buf, &end);
	if (end != buf + f->n)
		return -1;
	return isfinite(*out) ? 0 : -2;
}
