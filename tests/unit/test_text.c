/* test_text.c - placeholder */
int main(void) { return 0; }
