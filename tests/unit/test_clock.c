/* test_clock.c - placeholder */
int main(void) { return 0; }
