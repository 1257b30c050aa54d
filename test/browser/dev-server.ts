/** Starts `npm run dev` (the demo portal behind stepgate) on free ports and stops it again. */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";

export interface DevServer {
  base: string;
  /** The demo portal it started (the demo tenant's origin). */
  demoOrigin: string;
  /** What it printed so far, stdout and stderr. */
  output(): string;
  /** Stops it: SIGINT lets it shut down; SIGKILL is a crash (nothing in flight completes). */
  stop(signal?: "SIGINT" | "SIGKILL"): Promise<void>;
}

export interface DevServerOptions {
  /** Where its local state persists (`STEPGATE_DEV_STATE`); default `.wrangler/state`. */
  stateDir?: string;
  /** More environment for it (`STEPGATE_RESEED`). */
  env?: Record<string, string>;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const port = await freePort();
  const demoPort = await freePort();
  const child: ChildProcess = spawn("npx", ["tsx", "scripts/dev.ts"], {
    env: {
      ...process.env,
      PORT: String(port),
      DEMO_PORT: String(demoPort),
      ...(options.stateDir ? { STEPGATE_DEV_STATE: options.stateDir } : {}),
      ...options.env,
    },
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
    demoOrigin: `http://127.0.0.1:${demoPort}`,
    output: () => output,
    async stop(signal = "SIGINT") {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      if (child.pid) process.kill(-child.pid, signal);
      await exited;
    },
  };
}
