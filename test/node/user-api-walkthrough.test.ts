/**
 * The API walkthrough in docs/user-api.md ("A step-up by API") works as written: its ```sh
 * blocks run in order, in one bash, against `npm run dev`, print what the doc shows after
 * `#   `, and the last step reaches the demo portal. Only the address line is changed, to the
 * port this test's dev server listens on. Needs curl, jq and oathtool, as the doc says.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startDevServer, type DevServer } from "../browser/dev-server";

const SECTION = "## A step-up by API";
const ADDRESS_LINE = "B=http://127.0.0.1:8787";
/** The doc's marker for a line of output: `#   ` then the line, `…` standing for anything. */
const SHOWN = /^# {3}(.*)$/;
const FENCED_SH = /^```sh\n([\s\S]*?)^```$/gm;

const stateDir = mkdtempSync(join(tmpdir(), "stepgate-walkthrough-"));
let server: DevServer | undefined;

beforeAll(async () => {
  server = await startDevServer({ stateDir });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

/** The section's shell commands, every ```sh block in order. */
function walkthrough(): string {
  const doc = readFileSync("docs/user-api.md", "utf8");
  const start = doc.indexOf(SECTION);
  expect(start, `docs/user-api.md has "${SECTION}"`).toBeGreaterThan(-1);
  const end = doc.indexOf("\n## ", start + SECTION.length);
  const section = doc.slice(start, end === -1 ? undefined : end);
  const blocks = [...section.matchAll(FENCED_SH)].map((match) => match[1]!);
  expect(blocks.length).toBeGreaterThan(0);
  return blocks.join("\n");
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const shownAs = (line: string) => new RegExp(`^${line.split("…").map(escapeRegExp).join(".*")}$`);

it("runs the doc's step-up by API, in order, to the withdrawal reaching the portal", async () => {
  const script = walkthrough();
  const lines = script.split("\n");
  expect(lines.filter((line) => line === ADDRESS_LINE)).toHaveLength(1);
  const port = new URL(server!.base).port;
  const runnable = lines.map((line) => (line === ADDRESS_LINE ? `B=http://127.0.0.1:${port}` : line)).join("\n");

  // -e -u -o pipefail: a step that fails stops the walkthrough there, as a reader would stop.
  const ran = await promisify(execFile)("bash", ["-euo", "pipefail", "-c", runnable], { timeout: 60_000 }).catch((error) => {
    throw new Error(`the walkthrough failed: ${error.message}\nstdout:\n${error.stdout}\nstderr:\n${error.stderr}`);
  });
  const printed = ran.stdout.split("\n").filter((line) => line !== "");
  const shown = lines.flatMap((line) => SHOWN.exec(line)?.[1] ?? []);
  expect(printed, `stderr:\n${ran.stderr}`).toEqual(shown.map((line) => expect.stringMatching(shownAs(line))));
  // Whatever the doc shows: the last step is the portal's answer to the withdrawal.
  expect(JSON.parse(printed.at(-1)!)).toMatchObject({ operation: "withdraw", user: expect.stringMatching(/^api-\d+$/), received: { amount: 10 } });
}, 90_000);
