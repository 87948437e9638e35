/* settings: the fusion's settings (method, normalisation, their
 * parameters, the weights by model name), their defaults and their
 * one-line text, parsed key by key. */
#include "engine/fusion/settings.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const method_names[FUSE_METHOD_COUNT] = {
	"weighted", "rrf", "borda", "vote", "stack"
};
static const char *const norm_names[NORM_COUNT] = {
	"zscore", "minmax", "rank", "borda", "raw"
};

const char *
fusion_method_name(enum fusion_method m)
{
	return (unsigned)m < FUSE_METHOD_COUNT ? method_names[m] : "?";
}

const char *
fusion_norm_name(enum fusion_norm n)
{
	return (unsigned)n < NORM_COUNT ? norm_names[n] : "?";
}

int
fusion_method_parse(const char *name)
{
	for (int k = 0; k < FUSE_METHOD_COUNT; k++)
		if (strcasecmp(name, method_names[k]) == 0)
			return k;
	return -1;
}

int
fusion_norm_parse(const char *name)
{
	for (int k = 0; k < NORM_COUNT; k++)
		if (strcasecmp(name, norm_names[k]) == 0)
			return k;
	if (strcasecmp(name, "z") == 0 || strcasecmp(name, "z-score") == 0)
		return NORM_ZSCORE;
	if (strcasecmp(name, "min-max") == 0)
		return NORM_MINMAX;
	return -1;
}

void
fusion_settings_default(fusion_settings *s)
{
	memset(s, 0, sizeof *s);
	s->method = FUSE_WEIGHTED;
	s->norm = NORM_ZSCORE;
	s->rrf_k = 60;
	s->vote_n = 10;
	s->pool_m = 200;
	s->l2 = 1;
}

void
fusion_settings_format(const fusion_settings *s, char *buf, size_t n)
{
	size_t len;

	if (n == 0)
		return;
	len = (size_t)snprintf(buf, n, "method=%s norm=%s k=%g vote=%d m=%d "
	    "l2=%g w=", fusion_method_name(s->method),
	    fusion_norm_name(s->norm), s->rrf_k, s->vote_n, s->pool_m, s->l2);
	for (int m = 0; m < s->n && len < n; m++)
		len += (size_t)snprintf(buf + len, n - len, "%s%s:%.17g",
		    m ? "," : "", s->names[m], s->w[m]);
}

/* One "key=value" of the settings text or of `fuse` parameters. */
int
fusion_settings_assign(fusion_settings *s, const char *key, size_t klen,
    const char *val, rf_error *err)
{
	char *end;
	double v;

#define KEY(x) (klen == strlen(x) && strncasecmp(key, x, klen) == 0)
	if (KEY("method")) {
		int m = fusion_method_parse(val);

		if (m < 0)
			return rf_fail(err, "fusion: unknown method '%s' "
			    "(weighted, rrf, borda, vote, stack)", val);
		s->method = (enum fusion_method)m;
		return 0;
	}
	if (KEY("norm")) {
		int m = fusion_norm_parse(val);

		if (m < 0)
			return rf_fail(err, "fusion: unknown normalisation "
			    "'%s' (zscore, minmax, rank, borda, raw)", val);
		s->norm = (enum fusion_norm)m;
		return 0;
	}
	if (KEY("w")) {
		const char *p = val;

		s->n = 0;
		while (*p) {
			const char *colon = strchr(p, ':');
			size_t nl;

			if (colon == NULL || colon == p)
				return rf_fail(err, "fusion: weights are "
				    "name:value,... (got '%s')", val);
			if (s->n == FUSION_MAX_MODELS)
				return rf_fail(err, "fusion: at most %d models",
				    FUSION_MAX_MODELS);
			nl = (size_t)(colon - p);
			if (nl >= FUSION_NAME_MAX)
				return rf_fail(err, "fusion: model name too "
				    "long");
			memcpy(s->names[s->n], p, nl);
			s->names[s->n][nl] = '\0';
			v = strtod(colon + 1, &end);
			if (end == colon + 1 || !isfinite(v) || v < 0)
				return rf_fail(err, "fusion: weight of %s must "
				    "be a non-negative number", s->names[s->n]);
			s->w[s->n++] = v;
			p = end;
			if (*p == ',')
				p++;
			else if (*p)
				return rf_fail(err, "fusion: weights are "
				    "name:value,... (got '%s')", val);
		}
		return 0;
	}
	v = strtod(val, &end);
	if (end == val || *end != '\0' || !isfinite(v))
		return rf_fail(err, "fusion: %.*s wants a number, got '%s'",
		    (int)klen, key, val);
	if (KEY("k")) {
		if (v < 0 || v > 1e6)
			return rf_fail(err, "fusion: k must be in [0, 1e6]");
		s->rrf_k = v;
	} else if (KEY("vote") || KEY("n")) {
		if (v < 1 || v > 100000)
			return rf_fail(err, "fusion: n must be in [1, 100000]");
		s->vote_n = (int)v;
	} else if (KEY("m")) {
		if (v < 1 || v > 100000)
			return rf_fail(err, "fusion: m must be in [1, 100000]");
		s->pool_m = (int)v;
	} else if (KEY("l2")) {
		if (v < 0 || v > 1e9)
			return rf_fail(err, "fusion: l2 must be in [0, 1e9]");
		s->l2 = v;
	} else
		return rf_fail(err, "fusion: unknown parameter '%.*s' (method, "
		    "norm, k, n, m, l2, w)", (int)klen, key);
#undef KEY
	return 0;
}

int
fusion_settings_parse(const char *text, fusion_settings *s, rf_error *err)
{
	fusion_settings t;
	const char *p = text;

	fusion_settings_default(&t);
	while (*p) {
		const char *eq, *end;
		char val[1024];
		size_t vl;

		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (*p == '\0')
			break;
		end = p + strcspn(p, " \t\n");
		eq = memchr(p, '=', (size_t)(end - p));
		if (eq == NULL || eq == p)
			return rf_fail(err, "fusion: expected key=value, got "
			    "'%.*s'", (int)(end - p), p);
		vl = (size_t)(end - eq - 1);
		if (vl >= sizeof val)
			return rf_fail(err, "fusion: value too long");
		memcpy(val, eq + 1, vl);
		val[vl] = '\0';
		if (fusion_settings_assign(&t, p, (size_t)(eq - p), val,
		    err) < 0)
			return -1;
		p = end;
	}
	*s = t;
	return 0;
}
