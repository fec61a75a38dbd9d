/* Which keys and values hold secrets, and hiding them in messages. */
#include "config.h"

#include "check.h"
#include "job/job.h"
#include "job/secret.h"

static const char *hidden(const char *text, const char *value, size_t size)
{
	static char buf[256];

	snprintf(buf, sizeof buf, "%s", text);
	sl_hide_value(buf, size, value);
	return buf;
}

/* Values read with ${file:} are hidden whatever their key. */
static void test_job_secrets(void)
{
	char *values[] = { "hunter2", "host=db password=pw" };
	sl_job_option plain = { .key = "path", .value = "/tmp/x", .line = 3 };
	sl_job_option from_file = { .key = "conninfo",
				     .value = "host=db password=pw", .line = 4 };
	sl_job_option secret_key = { .key = "kafka.sasl.password",
				      .value = "literal", .line = 5 };
	sl_job job;
	char msg[128];

	memset(&job, 0, sizeof job);
	CHECK(!sl_job_option_is_secret(&job, &plain));
	CHECK(!sl_job_option_is_secret(&job, &from_file));
	CHECK(sl_job_option_is_secret(&job, &secret_key));
	job.secret_values = values;
	job.secret_value_count = 2;
	CHECK(!sl_job_option_is_secret(&job, &plain));
	CHECK(sl_job_option_is_secret(&job, &from_file));
	CHECK(sl_job_option_is_secret(&job, &secret_key));

	snprintf(msg, sizeof msg, "connect 'host=db password=pw': refused; "
		 "user hunter2");
	sl_job_hide_secrets(&job, msg, sizeof msg);
	CHECK_STR(msg, "connect '***': refused; user ***");
}

int main(void)
{
	CHECK(sl_key_is_secret("kafka.sasl.password"));
	CHECK(sl_key_is_secret("password"));
	CHECK(sl_key_is_secret("auth.token"));
	/* the http sink's headers that carry credentials */
	CHECK(sl_key_is_secret("header.Authorization"));
	CHECK(sl_key_is_secret("header.X-Api-Key"));
	CHECK(!sl_key_is_secret("header.Content-Type"));
	CHECK(sl_key_is_secret("kafka.ssl.key.password"));
	CHECK(sl_key_is_secret("kafka.ssl.keystore.location"));
	CHECK(sl_key_is_secret("kafka.sasl.oauthbearer.client.secret"));
	CHECK(sl_key_is_secret("api.SECRET"));
	CHECK(sl_key_is_secret("DB.PASSWORD"));
	CHECK(!sl_key_is_secret("key.format"));
	CHECK(!sl_key_is_secret("path"));
	CHECK(!sl_key_is_secret("passwordless"));
	CHECK(!sl_key_is_secret("mypassword"));
	CHECK(!sl_key_is_secret("bootstrap.servers"));

	CHECK_STR(hidden("'hunter2' is not a duration", "hunter2", 256),
		  "'***' is not a duration");
	CHECK_STR(hidden("a hunter2 b hunter2", "hunter2", 256), "a *** b ***");
	CHECK_STR(hidden("nothing here", "hunter2", 256), "nothing here");
	CHECK_STR(hidden("'hunter2' x", "", 256), "'hunter2' x");
	/* cut short, but never to a piece of the value */
	CHECK_STR(hidden("ab hunter2 cd", "hunter2", 5), "ab *");
	test_job_secrets();
	return check_done("test_secret");
}
