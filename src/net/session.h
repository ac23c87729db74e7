/*
 * session.h - the peer protocol over an authenticated link: hello, entries,
 * seen, ping/pong, error. One handler per frame kind (handle_* in session.c).
 *
 * Entries arrive in the sender's sequence order; each carries the seq of the
 * previous one sent to us, so a gap is seen at once. A batch of entries read
 * together is committed in one transaction (lia_node_begin, lia_node_accept
 * for each, lia_node_commit: engine/transport.h); receipts and "seen" go out
 * only after that commit returns.
 */
#ifndef LIA_SESSION_H
#define LIA_SESSION_H

struct lia_link;

/* The link is authenticated: send our hello. */
void lia_session_open(struct lia_link *l);

/* Reads and handles every whole frame in the input buffer; drops the link on protocol errors. */
void lia_session_read(struct lia_link *l);

/* Offers the node's latest checkpoint to the peer (engine/record.c decides; the link carries it). */
void lia_session_offer(struct lia_link *l);

/* Writes queued own entries for this peer while the output buffer has room. */
void lia_session_pump(struct lia_link *l);

/* Heartbeat tick: ping, and drop the link when the peer has been silent too long. */
void lia_session_tick(struct lia_link *l);

#endif
