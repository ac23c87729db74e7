/* test_store.c - placeholder */
int main(void) { return 0; }
