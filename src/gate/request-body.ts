/**
 * @module
 * A protected request's body, read only when stepgate needs it (to bind a grant to it, or to
 * hold it while the user verifies) and at most once; the original stream still goes to the
 * origin when the request passes.
 */
import { ProblemError } from "../lib/problem";
import { readBody, type ReadBody } from "./request-digest";

/**
 * The largest body stepgate reads to approve or hold a request: it must be read whole, and an
 * isolate has 128 MB for every request it serves at once. Checked against `Content-Length`
 * before anything is read, and while reading for bodies sent without one.
 */
export const MAX_BOUND_BODY_BYTES = 1024 * 1024;

export class RequestBody {
  private read: Promise<ReadBody> | null = null;

  constructor(private readonly request: Request) {}

  /** Whether the request has a body to keep at all (not GET or HEAD). */
  get present(): boolean {
    return this.request.method !== "GET" && this.request.method !== "HEAD";
  }

  /**
   * The body, parsed; a body over {@link MAX_BOUND_BODY_BYTES} is a 413 problem.
   * @example
   * const digest = await requestDigest(method, path, await body.parsed());
   */
  parsed(): Promise<ReadBody> {
    this.read ??= this.readOnce();
    return this.read;
  }

  private async readOnce(): Promise<ReadBody> {
    const declared = Number(this.request.headers.get("Content-Length") ?? "0");
    if (declared > MAX_BOUND_BODY_BYTES) throw tooLarge();
    const copy = this.request.clone();
    const bytes = copy.body ? await readAtMost(copy.body, MAX_BOUND_BODY_BYTES) : new Uint8Array();
    if (!bytes) throw tooLarge();
    // A GET or HEAD has no body to give (the platform refuses one on them, even empty).
    const bodyless = copy.method === "GET" || copy.method === "HEAD";
    return readBody(new Request(copy.url, { method: copy.method, headers: copy.headers, body: bodyless ? null : bytes }));
  }
}

/** The stream's bytes, or `null` as soon as there are more than `maxBytes`. */
async function readAtMost(stream: ReadableStream<Uint8Array>, maxBytes: number): Promise<Uint8Array | null> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function tooLarge(): ProblemError {
  return new ProblemError(413, "body_too_large", `A request that needs approval is at most ${MAX_BOUND_BODY_BYTES} bytes.`);
}
