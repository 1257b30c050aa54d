/** Starts `npm run dev` (the demo portal behind stepgate) on free ports and stops it again. */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";

export interface DevServer {
  base: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

export async function startDevServer(): Promise<DevServer> {
  const port = await freePort();
  const demoPort = await freePort();
  const child: ChildProcess = spawn("npx", ["tsx", "scripts/dev.ts"], {
    env: { ...process.env, PORT: String(port), DEMO_PORT: String(demoPort) },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const base = `http://localhost:${port}`;
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`npm run dev exited:\n${output}`);
    try {
      if ((await fetch(`${base}/__stepgate/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    if (i === 299) throw new Error(`npm run dev did not answer on ${base}:\n${output}`);
  }
  return {
    base,
    async stop() {
      if (child.pid) process.kill(-child.pid, "SIGINT");
      await new Promise((resolve) => child.once("exit", resolve));
    },
  };
}
