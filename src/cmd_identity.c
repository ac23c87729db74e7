/* cmd_identity.c - placeholder until the module lands. */
typedef int lia_placeholder_cmd_identity;
