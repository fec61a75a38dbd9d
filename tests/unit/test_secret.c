/* Which keys hold secrets, and hiding their values in messages. */
#include "config.h"

#include "check.h"
#include "job/secret.h"

static const char *hidden(const char *text, const char *value, size_t size)
{
	static char buf[256];

	snprintf(buf, sizeof buf, "%s", text);
	sl_hide_value(buf, size, value);
	return buf;
}

int main(void)
{
	CHECK(sl_key_is_secret("kafka.sasl.password"));
	CHECK(sl_key_is_secret("password"));
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
	return check_done("test_secret");
}
