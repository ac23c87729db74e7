/* test_charter.c - placeholder */
int main(void) { return 0; }
