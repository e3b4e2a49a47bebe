"""The IPC ping-pong of the ipc benchmark as a SimPy model, for comparison.

Clients send a request to one server and wait for the reply (SENDREC); the
server receives, answers, and receives again. Each message charges the same
one-way IPC cost the simulator's sel4-skylake profile charges (718 cycles).
Prints one line: simpy msgs_per_s=<n> messages=<n> wall_s=<s>.

Usage: python3 pingpong.py CLIENTS ROUNDS
"""
import sys
import time

import simpy

IPC_CYCLES = 718


def server(env, inbox):
    while True:
        request, reply = yield inbox.get()
        yield env.timeout(IPC_CYCLES)
        reply.succeed(request + 1)


def client(env, inbox, rounds, counter):
    for i in range(rounds):
        reply = env.event()
        yield env.timeout(IPC_CYCLES)
        yield inbox.put((i, reply))
        answer = yield reply
        if answer != i + 1:
            raise RuntimeError("bad reply")
        counter[0] += 2


def main():
    clients = int(sys.argv[1])
    rounds = int(sys.argv[2])
    env = simpy.Environment()
    inbox = simpy.Store(env, capacity=1)
    counter = [0]
    env.process(server(env, inbox))
    for _ in range(clients):
        env.process(client(env, inbox, rounds, counter))
    start = time.perf_counter()
    env.run()
    wall = time.perf_counter() - start
    print(f"simpy msgs_per_s={counter[0] / wall:.0f} messages={counter[0]} wall_s={wall:.3f}")


if __name__ == "__main__":
    main()
