/**
 * What the workerd processes print, kept out of the table. Miniflare pipes workerd's stdout and
 * stderr to this process's whatever its log level, and runs it with `--verbose`, so a client
 * that closes its connection while workerd is writing an answer (autocannon ending a timed run
 * with requests in flight) prints `disconnected: ::write(…): Broken pipe` and a stack of
 * addresses. The bench's loads no longer end that way (a number of requests, or lock-step runs
 * that close their connections once answered); such lines are still counted rather than shown,
 * and anything else workerd says is shown, marked as workerd's.
 */
import type { Readable } from "node:stream";
import { createInterface } from "node:readline";

/** A write to a client that had gone: harmless to the measurement, counted. */
const CLIENT_GONE = /disconnected: .*(Broken pipe|Connection reset by peer)/;

let clientsGone = 0;

/**
 * Miniflare's `handleRuntimeStdio` for the instance `name`.
 * @example
 * new Miniflare({ ...options, handleRuntimeStdio: workerdOutput("stepgate", log) });
 */
export function workerdOutput(name: string, log: (line: string) => void): (stdout: Readable, stderr: Readable) => void {
  return (stdout, stderr) => {
    for (const stream of [stdout, stderr]) {
      let afterClientGone = false;
      createInterface({ input: stream }).on("line", (line) => {
        if (CLIENT_GONE.test(line)) {
          clientsGone++;
          afterClientGone = true;
        } else if (afterClientGone && line.startsWith("stack:")) {
          afterClientGone = false;
        } else if (line.trim() !== "") {
          afterClientGone = false;
          log(`workerd (${name}): ${line}`);
        }
      });
    }
  };
}

/** How many writes to a client that had closed its connection workerd reported. */
export const clientsGoneCount = () => clientsGone;
