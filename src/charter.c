/* charter.c - placeholder until the module lands. */
typedef int lia_placeholder_charter;
