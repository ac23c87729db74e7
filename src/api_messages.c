/* api_messages.c - placeholder until the module lands. */
typedef int lia_placeholder_api_messages;
