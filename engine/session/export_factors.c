/* export_factors: a factor model's tables written for other tools in
 * the layout Spark MLlib's ALSModel writes (userFactors.write.json(DIR)):
 * spark.read.json(DIR) reads them back, and import-model brings them in
 * again. */
#include "engine/session/internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/models/external.h"
#include "engine/models/registry.h"

/* Every id a plain number (no sign, no leading zero): written bare, as
 * Spark's integer ids are; else all are written as strings. */
static int
ids_numeric(char **ext, const uint8_t *has, int n)
{
	for (int r = 0; r < n; r++) {
		const char *s = ext[r];
		size_t len = strlen(s);

		if (has != NULL && !has[r])
			continue;
		if (len == 0 || len > 18 || strspn(s, "0123456789") != len ||
		    (s[0] == '0' && len > 1))
			return 0;
	}
	return 1;
}

static void
write_json_id(FILE *f, const char *s, int bare)
{
	if (bare) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* A part file other than ours in dir: an import would read it too. */
static int
has_other_parts(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int other = 0;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, "part-", 5) == 0 &&
		    strcmp(e->d_name, "part-00000.json") != 0)
			other = 1;
	closedir(d);
	return other;
}

/* DIR/NAME/part-00000.json and DIR/NAME/_SUCCESS: one table as Spark
 * writes it.  *written gets the rows written. */
static int
write_factor_table(const char *dir, const char *table, char **ext,
    const uint8_t *has, const float *rows, int n, int k, int stride,
    int64_t *written, rf_error *err)
{
	char path[4096];
	int bare = ids_numeric(ext, has, n);
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, table);
	if (mkdir(path, 0777) < 0 && errno != EEXIST)
		return rf_fail(err, "%s: cannot make the directory: %s", path,
		    strerror(errno));
	if (has_other_parts(path))
		return rf_fail(err, "%s holds part files of another table; "
		    "export to a new folder", path);
	snprintf(path, sizeof path, "%s/%s/part-00000.json", dir, table);
	if ((f = fopen(path, "w")) == NULL)
		return rf_fail(err, "%s: cannot write: %s", path,
		    strerror(errno));
	*written = 0;
	for (int r = 0; r < n; r++) {
		const float *x = rows + (size_t)r * stride;

		if (has != NULL && !has[r])
			continue;
		fputs("{\"id\":", f);
		write_json_id(f, ext[r], bare);
		fputs(",\"features\":[", f);
		/* Nine digits: each float reads back as itself. */
		for (int c = 0; c < k; c++)
			fprintf(f, "%s%.9g", c ? "," : "", (double)x[c]);
		fputs("]}\n", f);
		(*written)++;
	}
	if ((ferror(f) != 0) + (fclose(f) != 0) > 0)
		return rf_fail(err, "%s: write error", path);
	snprintf(path, sizeof path, "%s/%s/_SUCCESS", dir, table);
	if ((f = fopen(path, "w")) == NULL || fclose(f) != 0)
		return rf_fail(err, "%s: cannot write", path);
	return 0;
}

int
workbench_export_factors(workbench *wb, const char *model_name,
    const char *dir, wb_factors_result *res, rf_error *err)
{
	const model_ops *ops = model_lookup(model_name);
	const wb_model *e;
	const dataset *ds;
	model_factor_view v;

	memset(res, 0, sizeof *res);
	if (workbench_load_saved(wb, err) < 0)
		return -1;
	if ((e = workbench_find_model(wb, model_name)) == NULL && ops != NULL)
		e = workbench_find_model(wb, ops->name);
	if (e == NULL)
		return rf_fail(err, "model '%s' is not trained or imported",
		    model_name);
	if (model_factors(e->m, &v) < 0)
		return rf_fail(err, "%s has no factor tables (a model whose "
		    "score is a dot product of user and item factors has)",
		    e->m->name);
	ds = e->m->ds;
	if (ds->user_ext == NULL || ds->item_ext == NULL)
		return rf_fail(err, "the data have no external ids");
	if (mkdir(dir, 0777) < 0 && errno != EEXIST)
		return rf_fail(err, "%s: cannot make the directory: %s", dir,
		    strerror(errno));
	if (write_factor_table(dir, "userFactors", ds->user_ext, v.has_user,
	    v.user, ds->n_users, v.k, v.stride, &res->users, err) < 0 ||
	    write_factor_table(dir, "itemFactors", ds->item_ext, v.has_item,
	    v.item, ds->n_items, v.k, v.stride, &res->items, err) < 0)
		return -1;
	res->k = v.k;
	res->model = e->m->name;
	return 0;
}
