/* test_wire.c - placeholder */
int main(void) { return 0; }
