/**
 * `npm start`: the bundled bot (dist/bundle/bot.cjs, see bundle.ts) compiled from its V8 code
 * cache, then main(). With `--write-code-cache` it only loads the bundle and writes the cache
 * (the build does that). A cache V8 refuses (another Node version, other V8 flags) costs one
 * slower start: the bundle is compiled from source and the cache written again once the bot is
 * up, where the folder is writable.
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { join } from "node:path";
import { Script } from "node:vm";

const bundle = join(import.meta.dirname, "..", "bundle", "bot.cjs");
const cacheFile = `${bundle}.cache`;

function cached(): Buffer | undefined {
  try {
    return readFileSync(cacheFile);
  } catch {
    return undefined;
  }
}

const cachedData = cached();
const script = new Script(Module.wrap(readFileSync(bundle, "utf8")), { filename: bundle, cachedData });
const module = { exports: {} as { main(): Promise<void> } };
(script.runInThisContext() as (...args: unknown[]) => void).call(module.exports, module.exports, createRequire(bundle), module, bundle, join(bundle, ".."));

/** Written beside and renamed into place: an instance starting meanwhile reads the old cache or the new one, never half of one. */
function writeCache(): void {
  const partial = `${cacheFile}.${process.pid}`;
  writeFileSync(partial, script.createCachedData());
  renameSync(partial, cacheFile);
}

if (process.argv.includes("--write-code-cache")) {
  writeCache();
} else {
  await module.exports.main();
  if (!cachedData || script.cachedDataRejected) {
    try {
      writeCache();
    } catch {
      // A read-only build (a container's image): the next start compiles from source again.
    }
  }
}
