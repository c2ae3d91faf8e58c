/**
 * restify 11 loads spdy → http-deceiver, which touches `process.binding('http_parser')` and makes
 * Node print DEP0111 at every start, although the bot never uses HTTP/2 push. That one warning is
 * dropped; every other warning is printed as usual. Imported before restify.
 */
const emit = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const code = typeof rest[0] === "object" && rest[0] !== null ? (rest[0] as { code?: string }).code : rest[1];
  const text = typeof warning === "string" ? warning : warning.message;
  if (code === "DEP0111" && text.includes("http_parser")) return;
  (emit as (...args: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;
