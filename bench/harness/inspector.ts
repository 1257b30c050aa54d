/** A DevTools protocol session with a worker's isolate, through Miniflare's inspector (`inspectorPort`). */
import { createServer } from "node:net";
import WebSocket from "ws";

/** Longer than a heap snapshot of a few tens of MB takes here. */
const ANSWER_TIMEOUT_MS = 120_000;

/** A free TCP port for the inspector. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface Inspector {
  /** Sends a protocol command; resolves with its result (or its error). */
  send(method: string, params?: object): Promise<unknown>;
  close(): void;
}

/** A DevTools protocol session with one worker's isolate. */
export async function inspect(port: number, worker: string): Promise<Inspector> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/core:user:${worker}`);
  await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
  let id = 0;
  const waiting = new Map<number, (result: unknown) => void>();
  socket.on("message", (data) => {
    const message = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: unknown };
    if (message.id !== undefined) waiting.get(message.id)?.(message.result ?? message.error);
  });
  return {
    send: (method, params = {}) =>
      new Promise((resolve, reject) => {
        const sent = ++id;
        // workerd leaves some commands unanswered: fail loudly rather than wait for ever.
        const timer = setTimeout(() => reject(new Error(`the inspector did not answer ${method}`)), ANSWER_TIMEOUT_MS);
        waiting.set(sent, (result) => {
          clearTimeout(timer);
          resolve(result);
        });
        socket.send(JSON.stringify({ id: sent, method, params }));
      }),
    close: () => socket.close(),
  };
}

/**
 * The isolate's heap in use after a full garbage collection, in bytes. V8 collects all garbage
 * before it takes a heap snapshot; workerd's inspector answers `HeapProfiler.takeHeapSnapshot`
 * (its chunks arrive as events, ignored here) but never `HeapProfiler.collectGarbage`.
 */
export async function heapAfterGc(inspector: Inspector): Promise<number> {
  await inspector.send("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
  const { usedSize } = (await inspector.send("Runtime.getHeapUsage")) as { usedSize: number };
  return usedSize;
}
