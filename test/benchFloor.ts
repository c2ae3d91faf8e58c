/**
 * The floors `npm run bench` measures the bot against, each in its own process on the bot's stack
 * (restify, botbuilder's CloudAdapter, the same body limit):
 * - echo: answers every message with one text, nothing stored (what the framework costs);
 * - stateful: what any stateful bot must do per turn, on the bot's own database: read the state
 *   of the user in the conversation, answer, write it back only if the eTag it read still holds.
 *
 *   node --import tsx test/benchFloor.ts echo|stateful   (PORT; DATABASE_URL or DATA_DIR)
 */
import { ActivityHandler, CloudAdapter, ConfigurationBotFrameworkAuthentication } from "botbuilder";
import restify from "restify";
import { parseConfig } from "../src/config.js";
import { openDatabase } from "../src/db/database.js";
import { NEW_ETAG, StateStore } from "../bot/turns/stateStore.js";

const mode = process.argv[2];
if (mode !== "echo" && mode !== "stateful") throw new Error("usage: benchFloor.ts echo|stateful");
const parsed = parseConfig(process.env);
if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
const config = parsed.config;

const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
const bot = new ActivityHandler();
const database = mode === "stateful" ? openDatabase(config.database) : undefined;
if (database) await database.migrate();
const store = database ? new StateStore(database.db) : undefined;

bot.onMessage(async (context, next) => {
  if (!store) {
    await context.sendActivity(`echo: ${context.activity.text ?? ""}`);
    return next();
  }
  const key = `floor/${context.activity.conversation.id}/${context.activity.from.aadObjectId ?? context.activity.from.id}`;
  const stored = (await store.read([key])).get(key);
  const turns = Number(stored?.data.turns ?? 0) + 1;
  await context.sendActivity(`turn ${turns}: ${context.activity.text ?? JSON.stringify(context.activity.value ?? {}).slice(0, 40)}`);
  await store.write(key, { turns, last: context.activity.value ?? context.activity.text ?? null }, stored?.eTag ?? NEW_ETAG);
  return next();
});

const server = restify.createServer({ handleUncaughtExceptions: false });
server.use(restify.plugins.bodyParser({ maxBodySize: 256 * 1024, mapParams: false }));
server.post("/api/messages", async (req, res) => adapter.process(req, res, (context) => bot.run(context)));
server.get("/healthz", (_req, res, next) => {
  res.send(200, { status: "ok" });
  next();
});
await new Promise<void>((resolve) => server.listen(config.port, "127.0.0.1", resolve));
console.log(`floor ${mode} ready on ${config.port}`);
process.on("SIGTERM", () => {
  server.close(() => void (database?.close() ?? Promise.resolve()).then(() => process.exit(0)));
});
