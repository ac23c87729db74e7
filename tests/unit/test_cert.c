/* test_cert.c - placeholder */
int main(void) { return 0; }
