/** Instantiates the WASM core with a typed export surface; env.abort becomes a WasmAbortError. */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

/** CoreExports is every export of assembly/index.ts, typed. */
export interface CoreExports {
  memory: WebAssembly.Memory;
  init(maxHosts: number, maxTemplates: number, maxExporters: number, templatesPerExporter: number, templateLifetimeMs: number, sketchBytes: number): number;
  inputAddress(): number;
  inputEnd(): number;
  statsAddress(): number;
  entriesAddress(): number;
  ingest(len: number, exporterId: number, nowMs: number, reliable: number): number;
  batchAddress(): number;
  batchMetaAddress(): number;
  batchIdsAddress(): number;
  batchStatusAddress(): number;
  ingestBatch(n: number, nowMs: number): number;
  closeWindow(): number;
  encodeHosts(from: number, to: number, maxHosts: number, maxRegisterSketches: number, maxBytes: number, windowStart: number): number;
  encodedAddress(): number;
  encodedBytes(): number;
  encodedRegisterSketches(): number;
  monitorNetworks(n: number): void;
  clear(): void;
  decodeMode(on: number): void;
  recordsAddress(): number;
  recordsCount(): number;
  recordsDropped(): number;
  recordsReset(): void;
  eventsAddress(): number;
  eventsTotal(): number;
  eventsReset(): void;
  STAT_COUNT: WebAssembly.Global;
  DELTA_RECORD_SIZE: WebAssembly.Global;
  INPUT_CAPACITY: WebAssembly.Global;
}

/** WasmAbortError is a bug in the core (never bad input): the instance must be dropped. */
export class WasmAbortError extends Error {
  constructor(message: string, readonly file: string, readonly line: number, readonly column: number) {
    super(`wasm abort: ${message} at ${file}:${line}:${column}`);
    this.name = 'WasmAbortError';
  }
}

let compiled: WebAssembly.Module | undefined;

/** wasmPath finds build/probe.wasm from the source tree (src/wasm) or the bundle (dist/). */
export function wasmPath(debug = false): string {
  const name = debug ? 'probe.debug.wasm' : 'probe.wasm';
  const here = dirname(fileURLToPath(import.meta.url));
  for (const up of ['..', '../..']) {
    const candidate = join(here, up, 'build', name);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`cannot find build/${name}: run \`npm run asbuild\` first`);
}

/** instantiateCore compiles the module once per process and returns a fresh instance. */
export function instantiateCore(): CoreExports {
  compiled ??= new WebAssembly.Module(readFileSync(process.env.HOSTFLOW_WASM ?? wasmPath()));
  let memory: WebAssembly.Memory | undefined;
  const readString = (ptr: number): string => {
    if (!memory || ptr === 0) return '';
    const len = new Uint32Array(memory.buffer, ptr - 4, 1)[0] >>> 1;
    return String.fromCharCode(...new Uint16Array(memory.buffer, ptr, len));
  };
  const instance = new WebAssembly.Instance(compiled, {
    env: {
      abort(msg: number, file: number, line: number, column: number): never {
        throw new WasmAbortError(readString(msg), readString(file), line, column);
      },
    },
  });
  const exports = instance.exports as unknown as CoreExports;
  memory = exports.memory;
  return exports;
}
