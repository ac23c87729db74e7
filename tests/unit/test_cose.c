/* test_cose.c - placeholder */
int main(void) { return 0; }
