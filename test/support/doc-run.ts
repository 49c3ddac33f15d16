import { spawn } from 'node:child_process';
import ts from 'typescript';
import { ROOT } from './process';

/**
 * Runs the examples of the documents as a reader pastes them (see doc-examples.ts). What a runner
 * may change, and nothing else:
 * - the documents' address of the service, `http://127.0.0.1:3000`, becomes the live service's;
 * - the shell variables the text tells the reader to set ($ADMIN_TOKEN, $CLIENT_ID, …) come in the
 *   environment, with values from earlier steps;
 * - placeholders (`<customer id>`, `"…"`, `ops_…`) are filled from earlier answers, by the runner,
 *   through `fill`, each one named there.
 */
export const DOCUMENTED_BASE_URL = 'http://127.0.0.1:3000';

export interface ShellCommand {
  /** The command, its continuation lines joined as bash would read them. */
  text: string;
  /** The comment lines after it that show its answer (`# {"access_token":"…",…}`), parsed. */
  answers: Array<Record<string, unknown>>;
}

/** The commands of a `sh` block, in order, each with the answers its comment lines show. */
export function shellCommands(body: string): ShellCommand[] {
  const commands: ShellCommand[] = [];
  let current: string[] = [];
  for (const line of body.split('\n')) {
    const comment = /^\s*#\s*(\{.*\})\s*$/.exec(line);
    if (comment && current.length === 0 && commands.length > 0) {
      commands[commands.length - 1]!.answers.push(JSON.parse(comment[1]!) as Record<string, unknown>);
      continue;
    }
    if (line.trim() === '' && current.length === 0) continue;
    current.push(line);
    if (!line.endsWith('\\') && !inQuotes(current.join('\n'))) {
      commands.push({ text: current.join('\n'), answers: [] });
      current = [];
    }
  }
  if (current.length > 0) commands.push({ text: current.join('\n'), answers: [] });
  return commands;
}

/** Whether `text` ends inside a quoted string (a command going on to the next line without a backslash). */
function inQuotes(text: string): boolean {
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote === "'") {
      if (c === "'") quote = null;
    } else if (c === '\\') {
      i++;
    } else if (quote === '"') {
      if (c === '"') quote = null;
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      while (i < text.length && text[i] !== '\n') i++;
    }
  }
  return quote !== null;
}

/** Replaces each placeholder of `fills` in `text`, failing when one is not there (the document changed). */
export function fill(text: string, fills: Record<string, string>): string {
  let out = text;
  for (const [placeholder, value] of Object.entries(fills)) {
    if (!out.includes(placeholder)) throw new Error(`the example has no '${placeholder}' to fill:\n${text}`);
    out = out.split(placeholder).join(value);
  }
  return out;
}

export interface ShellResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `command` with bash (`-eu -o pipefail`: an unset variable the text forgot to mention fails),
 * the documented base URL replaced by `baseUrl`, with PATH and `env` only. Asynchronous: the
 * service it talks to may live in this process.
 */
export function runShell(command: string, options: { baseUrl?: string; env?: Record<string, string>; cwd?: string } = {}): Promise<ShellResult> {
  const text = options.baseUrl ? command.split(DOCUMENTED_BASE_URL).join(options.baseUrl) : command;
  const child = spawn('bash', ['-eu', '-o', 'pipefail', '-c', text], {
    cwd: options.cwd ?? ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs `command` (see runShell), expects it to succeed, and answers its output as JSON. */
export async function shellJson<T = Record<string, unknown>>(command: string, options: Parameters<typeof runShell>[1] = {}): Promise<T> {
  const result = await runShell(command, options);
  if (result.code !== 0) throw new Error(`the example failed (${result.code}):\n${command}\n${result.stderr}${result.stdout}`);
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`the example did not answer JSON:\n${command}\n${result.stdout}${result.stderr}`);
  }
}

/**
 * Runs a TypeScript or JavaScript example in this process, as an ES module would run (top-level
 * `await` included): transpiled to CommonJS, with `modules` answering its imports by name (an
 * import the runner does not provide fails) and `globals` defining the free names the text leaves to the reader
 * (CLIENT_ID, console, …). `epilogue` is code run after the example in its scope, to hand back what
 * it built (`return app`); the runner says so where it uses one.
 */
export async function runModule(
  source: string,
  options: { modules?: Record<string, unknown>; globals?: Record<string, unknown>; epilogue?: string } = {},
): Promise<unknown> {
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  const modules = options.modules ?? {};
  const load = (name: string): unknown => {
    if (!(name in modules)) throw new Error(`the example imports '${name}', which the runner does not provide`);
    return modules[name];
  };
  const globals = options.globals ?? {};
  const exports = {};
  const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => (...values: unknown[]) => Promise<unknown>;
  const run = new AsyncFunction('require', 'exports', 'module', ...Object.keys(globals), `${outputText}\n${options.epilogue ?? ''}`);
  return run(load, exports, { exports }, ...Object.values(globals));
}

export interface RunningShell {
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves once its output contains `text`; rejects if it exits first or within `timeoutMs` does not. */
  waitForOutput(text: string, timeoutMs: number): Promise<void>;
  /** SIGTERM to its whole process group (npm, sh, node), SIGKILL if it has not exited within 15 s. */
  stop(): Promise<void>;
}

/**
 * Starts a long-running example (`npm start`, `npm run demo`) with bash in a process group of its
 * own, so that stopping it stops npm's children too. Same environment rules as runShell.
 */
export function spawnShell(command: string, options: { env?: Record<string, string>; cwd?: string } = {}): RunningShell {
  const child = spawn('bash', ['-eu', '-o', 'pipefail', '-c', command], {
    cwd: options.cwd ?? ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    listeners.forEach((l) => l());
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  void exited.then(() => listeners.forEach((l) => l()));
  const isRunning = () => child.exitCode === null && child.signalCode === null;
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // the group is gone already
    }
  };
  return {
    output: () => output,
    waitForOutput: (text, timeoutMs) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (output.includes(text)) {
            done();
            resolve();
          } else if (!isRunning()) {
            done();
            reject(new Error(`'${command}' exited (${child.exitCode ?? child.signalCode}) before printing ${text}:\n${output}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`'${command}' did not print ${text} within ${timeoutMs} ms:\n${output}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      }),
    stop: async () => {
      signalGroup('SIGTERM');
      const timer = setTimeout(() => signalGroup('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
      // npm may exit before its children: make sure none of the group outlives the test.
      signalGroup('SIGKILL');
    },
  };
}
