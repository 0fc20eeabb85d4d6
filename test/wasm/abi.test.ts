import { describe, it, expect } from 'vitest';
import { instantiateCore } from '../../src/wasm/loader.js';
import * as abi from '../../src/wasm/abi.js';

const camel = (snake: string) => snake.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

describe('src/wasm/abi.ts', () => {
  it('mirrors every constant the WASM module exports', () => {
    const wasm = instantiateCore() as unknown as Record<string, unknown>;
    const globals = Object.entries(wasm).filter(([, v]) => v instanceof WebAssembly.Global);
    expect(globals.length).toBeGreaterThan(30);
    const mirror = abi as unknown as Record<string, number>;
    for (const [name, g] of globals) {
      const value = (g as WebAssembly.Global).value;
      if (name.startsWith('STAT_') && name !== 'STAT_COUNT') {
        expect(abi.STAT[camel(name.slice(5)) as keyof typeof abi.STAT], name).toBe(value);
      } else {
        expect(mirror[name], name).toBe(value);
      }
    }
    expect(Object.keys(abi.STAT).length).toBe(abi.STAT_COUNT);
  });
});
