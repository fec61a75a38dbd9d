/*
 * job_checks.c - checks across the stages of a job that need its plugins
 * loaded (what a class provides, not what a descriptor says), so that
 * `validate` refuses what `run` would refuse when it opens them.  The
 * engine keeps its own checks for jobs it is handed directly; the
 * messages are the same.
 */
#include "config.h"

#include "job/job.h"
#include "plugin/loader.h"

/* The loaded plugin of @p st, or NULL (its problem is reported apart). */
static const sl_plugin *plugin_of(const sl_job_stage *st, sl_loader *loader,
				  const sl_registry *reg)
{
	const sl_plugin *p;
	sl_error err;

	if (st->plugin == NULL ||
	    sl_loader_get(loader, reg, st->plugin, &p, &err) != SL_OK)
		return NULL;
	return p;
}

static int takes_transactions(const sl_sink_class *k)
{
	return k != NULL && SL_STRUCT_HAS(k, sl_sink_class, txn_begin) &&
	       k->txn_begin != NULL && k->txn_commit != NULL &&
	       k->txn_abort != NULL;
}

/* Under exactly-once: the first sink owns the transaction; all join it. */
static size_t check_transactions(const sl_job *job, sl_loader *loader,
				 const sl_registry *reg, sl_diag *diag)
{
	const sl_job_stage *owner = NULL, *store = NULL;
	const sl_plugin *p;
	size_t i, problems = 0;

	for (i = 0; i < job->order_count; i++) {
		const sl_job_stage *st = job->order[i];

		if (st->kind == SL_KIND_STORE && store == NULL)
			store = st;
		if (st->kind != SL_KIND_SINK || (p = plugin_of(st, loader, reg)) == NULL)
			continue;
		if (!takes_transactions(p->sink)) {
			sl_diag_add(diag, job->path, st->line, "sink '%s' (plugin %s) "
				    "cannot take part in a transaction, so delivery "
				    "= exactly-once cannot hold; use delivery = "
				    "at-least-once or a transactional sink",
				    st->name, st->plugin->name);
			problems++;
		} else if (owner == NULL) {
			owner = st;
		} else if (st->plugin != owner->plugin) {
			sl_diag_add(diag, job->path, st->line, "sink '%s' (plugin "
				    "%s) and sink '%s' (plugin %s) cannot share one "
				    "transaction, so delivery = exactly-once cannot "
				    "hold for both; use delivery = at-least-once, or "
				    "one job per system", st->name, st->plugin->name,
				    owner->name, owner->plugin->name);
			problems++;
		}
	}
	/* keyed state kept in memory alone is lost by a crash while the
	 * positions after it are committed */
	for (i = 0; store == NULL && owner != NULL && i < job->order_count; i++) {
		const sl_job_stage *st = job->order[i];

		if (st->kind != SL_KIND_OPERATOR || st->plugin == NULL ||
		    !(st->plugin->capabilities & SL_CAP_KEYED))
			continue;
		sl_diag_add(diag, job->path, st->line, "stage '%s' keeps keyed "
			    "state, and no store can keep it in the job's "
			    "transaction (no [store], and no sink whose plugin "
			    "provides one), so delivery = exactly-once cannot hold: "
			    "state kept in memory is lost by a crash; use delivery "
			    "= at-least-once", st->name);
		problems++;
		break;
	}
	if (store != NULL && owner != NULL && store->plugin != NULL &&
	    store->plugin != owner->plugin) {
		sl_diag_add(diag, job->path, store->line, "store '%s' (plugin %s) "
			    "cannot write keyed state into the transaction of sink "
			    "'%s' (plugin %s), so delivery = exactly-once cannot "
			    "hold: use a store of plugin %s", store->name,
			    store->plugin->name, owner->name, owner->plugin->name,
			    owner->plugin->name);
		problems++;
	}
	return problems;
}

static size_t check_dead_letters(const sl_job *job, sl_loader *loader,
				 const sl_registry *reg, sl_diag *diag)
{
	const sl_plugin *p;
	size_t i, problems = 0;
	int writer = 0;

	for (i = 0; i < job->stage_count && !writer; i++)
		writer = job->stages[i].kind == SL_KIND_SINK &&
			 (p = plugin_of(&job->stages[i], loader, reg)) != NULL &&
			 SL_STRUCT_HAS(p->sink, sl_sink_class, dead_letter) &&
			 p->sink->dead_letter != NULL;
	for (i = 0; i < job->stage_count && !writer; i++) {
		const sl_job_stage *st = &job->stages[i];
		const sl_job_option *o = sl_job_stage_option(st, "errors");

		if (st->settings.errors != SL_ERRORS_DEAD_LETTER)
			continue;
		sl_diag_add(diag, job->path, o ? o->line : st->line, "%s: errors = "
			    "dead-letter needs a sink in the job whose plugin "
			    "writes dead letters (kafka's does)", st->name);
		problems++;
	}
	return problems;
}

size_t sl_job_check_across(const sl_job *job, sl_loader *loader,
			   const sl_registry *reg, sl_diag *diag)
{
	size_t problems = check_dead_letters(job, loader, reg, diag);

	if (job->delivery == SL_DELIVERY_EXACTLY_ONCE)
		problems += check_transactions(job, loader, reg, diag);
	return problems;
}
