/*
 * noentry.c - a shared object that is not a sluice plugin: it exports a
 * function, but not the entry symbol.
 */
int noentry_something(int x);

int noentry_something(int x)
{
	return x + 1;
}
