/*
 * Linked into every unit test program. libatf-c leaks while it lists test
 * cases, and kyua calls a program broken if anything reaches stderr then,
 * so that leak is suppressed quietly. Our own leaks are still reported.
 */
const char	*__lsan_default_suppressions(void);
const char	*__lsan_default_options(void);

const char *
__lsan_default_suppressions(void)
{
	return "leak:libatf-c.so\n";
}

const char *
__lsan_default_options(void)
{
	return "print_suppressions=0";
}
