/* test_entry.c - placeholder */
int main(void) { return 0; }
