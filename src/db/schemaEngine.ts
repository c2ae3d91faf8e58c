/**
 * Prisma's schema engine, compiled to WebAssembly, driven through a driver adapter.
 * The Prisma CLI would download a native engine at start, which fails where the network is
 * closed (a build server, a locked-down host); this is the same engine, shipped in the npm
 * package @prisma/schema-engine-wasm, with no download.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import type { SchemaEngine } from "@prisma/schema-engine-wasm";

const require = createRequire(import.meta.url);
/** The slice of the WebAssembly global used here (its types live in lib.dom, not in Node's). */
const wasm = (globalThis as unknown as { WebAssembly: { instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: unknown } }> } }).WebAssembly;
let loaded: Promise<typeof SchemaEngine> | undefined;

/** Loads the wasm module once per process (importing the .wasm directly fails on Node 20). */
function loadEngine(): Promise<typeof SchemaEngine> {
  loaded ??= (async () => {
    const bg = await import("@prisma/schema-engine-wasm/schema_engine_bg");
    const wasmPath = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg").replace(/\.js$/, ".wasm");
    const { instance } = await wasm.instantiate(await readFile(wasmPath), { "./schema_engine_bg.js": bg });
    const exports = instance.exports as { __wbindgen_start: () => void };
    (bg as unknown as { __wbg_set_wasm: (e: unknown) => void }).__wbg_set_wasm(exports);
    exports.__wbindgen_start();
    return bg.SchemaEngine;
  })();
  return loaded;
}

/**
 * Runs work with a schema engine on the database the adapter factory connects to, then frees
 * the engine and closes every connection it opened (an open one would keep SQLite locked).
 */
export async function withSchemaEngine<T>(
  schema: { path: string; content: string },
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  work: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  const Engine = await loadEngine();
  const opened: SqlDriverAdapter[] = [];
  const tracked: SqlMigrationAwareDriverAdapterFactory = {
    provider: adapterFactory.provider,
    adapterName: adapterFactory.adapterName,
    connect: async () => remember(await adapterFactory.connect()),
    connectToShadowDb: async () => remember(await adapterFactory.connectToShadowDb()),
  };
  function remember(adapter: SqlDriverAdapter): SqlDriverAdapter {
    opened.push(adapter);
    return adapter;
  }
  try {
    const engine = await Engine.new({ datamodels: [[schema.path, schema.content]] }, () => {}, bindMigrationAwareSqlAdapterFactory(tracked));
    try {
      return await work(engine);
    } finally {
      engine.free();
    }
  } finally {
    await Promise.all(opened.map((adapter) => adapter.dispose()));
  }
}

export const noFilters = { externalTables: [], externalEnums: [] };
