/**
 * The build `npm start` runs (part of `npm run build` and of `npm install`'s postinstall):
 * bot/main.ts and everything it imports in one CommonJS file, dist/bundle/bot.cjs, plus a V8
 * code cache of it, dist/bundle/bot.cjs.cache. bot/start.ts loads the one file from the cache:
 * no module resolution over ~1,000 files, no parsing or compiling what the cache holds. That is
 * what brings a warm start under a second on Node 20, which has no module compile cache of its
 * own (`module.enableCompileCache` is Node 22).
 *
 * Left outside the file, loaded from node_modules: native addons (better-sqlite3), pino (its
 * transports run files of their own in worker threads), and what is loaded on first use only
 * (below): the Entra libraries and the text recognizers. Dynamic imports become require() calls: a script compiled from a code
 * cache on Node 20 loses the callback a dynamic import needs.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { build, type BuildOptions, type Plugin } from "esbuild";

const root = join(import.meta.dirname, "..");

/**
 * Prisma's WebAssembly query compilers: the generated client imports each as a module holding
 * the binary in base64 (4.4 MB of source to compile at every start). Here each becomes a module
 * that reads the binary from dist/bundle (written once by this build) and hands it over in the
 * form the client decodes.
 */
const queryCompilerFromFile = (out: string): Plugin => ({
  name: "query-compiler-from-file",
  setup(builder) {
    builder.onLoad({ filter: /query_compiler_fast_bg\.[a-z]+\.wasm-base64\.mjs$/ }, async (args) => {
      const dialect = /query_compiler_fast_bg\.([a-z]+)\.wasm-base64\.mjs$/.exec(args.path)![1];
      const { wasm } = (await import(pathToFileURL(args.path).href)) as { wasm: string };
      const file = `query_compiler.${dialect}.wasm`;
      writeFileSync(join(out, file), Buffer.from(wasm, "base64"));
      return { contents: `export const wasm = require("node:fs").readFileSync(require("node:path").join(__dirname, ${JSON.stringify(file)})).toString("base64");`, loader: "js" };
    });
  },
});

/**
 * Packages loaded when something first reaches into them, not when their importer loads:
 * Microsoft's text recognizers (numbers, dates, choices in eight languages: a second of regular
 * expressions built at load), which botbuilder-dialogs loads for its prompts and this bot does
 * not use; and MSAL and @azure/identity, which botframework-connector loads for credentials
 * that are only made at the first token, if ever (a bot without an app id never makes one).
 */
const onFirstUse = /^(@microsoft\/recognizers-text|@azure\/identity$|@azure\/msal-node$)/;
const loadedOnFirstUse: Plugin = {
  name: "loaded-on-first-use",
  setup(builder) {
    builder.onResolve({ filter: onFirstUse }, (args) =>
      args.pluginData === "real" ? undefined : { path: args.path, namespace: "on-first-use", pluginData: args.resolveDir },
    );
    builder.onLoad({ filter: /.*/, namespace: "on-first-use" }, (args) => {
      // Whether the package marks itself an ES module is asked at import (TypeScript's __importStar): answered from the build.
      const esModule = createRequire(join(args.pluginData as string, "x.js"))(args.path).__esModule === true;
      // botbuilder-dialogs reads only the culture names at load: those come from the recognizers' small base package.
      const culture = args.path.startsWith("@microsoft/") ? `key === "Culture" && !real ? require("real:@microsoft/recognizers-text").Culture : ` : "";
      return {
        contents: `let real;
const load = () => (real ??= require(${JSON.stringify(`real:${args.path}`)}));
module.exports = new Proxy({}, {
  get: (_, key) => (key === "__esModule" ? ${esModule} : ${culture}load()[key]),
  has: (_, key) => key in load(),
  ownKeys: () => Reflect.ownKeys(load()),
  getOwnPropertyDescriptor: (_, key) => { const d = Reflect.getOwnPropertyDescriptor(load(), key); return d && { ...d, configurable: true }; },
});`,
        resolveDir: args.pluginData as string,
        loader: "js",
      };
    });
    builder.onResolve({ filter: /^real:/ }, (args) => builder.resolve(args.path.slice("real:".length), { kind: args.kind, resolveDir: args.resolveDir, pluginData: "real" }));
  },
};

/** How `entry` and what it imports become one file (the build below; test/shutdown.test.ts bundles a probe with the same). */
export function bundleOptions(entry: string, outfile: string): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    // Smaller source to read and compile; names kept for stack traces and error types.
    minify: true,
    keepNames: true,
    legalComments: "none",
    sourcemap: "linked",
    supported: { "dynamic-import": false },
    external: ["better-sqlite3", "pg-native", "dtrace-provider", "pino", "pino-pretty", "@azure/identity", "@azure/msal-node", "@microsoft/recognizers-text-*"],
    plugins: [queryCompilerFromFile(dirname(outfile)), loadedOnFirstUse],
    // import.meta.url of each bundled module is the bundle's own URL (projectRoot walks up from it).
    define: { "import.meta.url": "__bundleUrl" },
    banner: { js: 'var __bundleUrl = require("node:url").pathToFileURL(__filename).href;' },
    logLevel: "warning",
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const out = join(root, "dist", "bundle");
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const started = performance.now();
  await build(bundleOptions(join(root, "bot", "main.ts"), join(out, "bot.cjs")));
  // The code cache: the bundle loaded (every module evaluated, nothing started), then V8's cache of what it compiled.
  execFileSync(process.execPath, [join(root, "dist", "bot", "start.js"), "--write-code-cache"], { cwd: root, stdio: "inherit" });
  console.log(`bundled dist/bundle/bot.cjs and its code cache in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
