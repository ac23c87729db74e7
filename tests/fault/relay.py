#!/usr/bin/env python3
"""relay.py LISTEN_HOST:PORT TARGET_HOST:PORT DELAY_S - a TCP relay for the
fault suite: every connection accepted on LISTEN is forwarded to TARGET, both
ways. SIGUSR1 turns the delay on (each chunk read is held DELAY_S seconds
before it is written on), SIGUSR2 turns it off. Chunks leave in the order they
came whatever the delay was when each arrived, so a stream is only ever late,
never reordered (the kernels here have no netem). Run it with `ip netns exec`
in the namespace whose address the charter gives to the peer it fronts."""
import asyncio, signal, sys

class Relay:
    def __init__(self, target, delay):
        self.target, self.delay, self.on = target, delay, False

    async def pump(self, reader, writer):
        """Copies reader to writer; each chunk is due at arrival + the delay then in force."""
        queue = asyncio.Queue()
        loop = asyncio.get_running_loop()

        async def send():
            while True:
                due, chunk = await queue.get()
                if chunk is None:
                    break
                wait = due - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                writer.write(chunk)
                await writer.drain()

        sender = asyncio.ensure_future(send())
        try:
            while True:
                chunk = await reader.read(65536)
                if not chunk:
                    break
                await queue.put((loop.time() + (self.delay if self.on else 0), chunk))
            await queue.put((0, None))
            await sender
        except (ConnectionError, OSError):
            pass
        finally:
            sender.cancel()
            writer.close()

    async def serve(self, reader, writer):
        host, port = self.target.rsplit(":", 1)
        try:
            up_reader, up_writer = await asyncio.open_connection(host, int(port))
        except OSError:
            writer.close()
            return
        await asyncio.gather(self.pump(reader, up_writer), self.pump(up_reader, writer),
                             return_exceptions=True)

    def set_delay(self, on):
        self.on = on
        print(f"relay: delay {'on' if on else 'off'}", flush=True)

async def main():
    listen, target, delay = sys.argv[1], sys.argv[2], float(sys.argv[3])
    relay = Relay(target, delay)
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGUSR1, relay.set_delay, True)
    loop.add_signal_handler(signal.SIGUSR2, relay.set_delay, False)
    host, port = listen.rsplit(":", 1)
    server = await asyncio.start_server(relay.serve, host, int(port))
    print(f"relay: {listen} -> {target}", flush=True)
    async with server:
        await server.serve_forever()

if __name__ == "__main__":
    asyncio.run(main())
