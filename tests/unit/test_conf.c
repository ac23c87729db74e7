/* test_conf.c - placeholder */
int main(void) { return 0; }
