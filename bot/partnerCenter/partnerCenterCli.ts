/**
 * `npm run partner-center -- <command>`: the partner's IT connects the bot to the real Partner
 * Center (PARTNER_CENTER=api) from a terminal.
 *   status                  which Partner Center, which app, who is connected for App+User calls
 *   connect                 connects a Partner Center user (device code: open the URL, enter the
 *                           code, sign in as an admin agent with MFA); the refresh token is kept
 *                           sealed in the database
 *   disconnect              forgets the connected user
 *   register-webhooks <url> asks Partner Center to POST subscription events to
 *                           <url>/api/partner-center/events (the bot's public https address)
 */
import { configForCommand } from "../../src/config.js";
import { openDatabase } from "../../src/db/database.js";
import { createLogger } from "../../src/log.js";
import { connectPartnerCenter } from "../../src/partnerCenter/connect.js";
import type { RestPartnerCenter } from "../../src/partnerCenter/rest/restPartnerCenter.js";
import { encryptionKeyFor, SecretBox } from "../../src/security/secretBox.js";

const [command = "status", argument] = process.argv.slice(2);
const config = configForCommand();
if (config.partnerCenter.mode !== "api") {
  console.log("PARTNER_CENTER is embedded: the bot uses its built-in Partner Center sandbox, and there is nothing to connect. Set PARTNER_CENTER=api (and its settings) to use the real one.");
  process.exit(command === "status" ? 0 : 1);
}
const logger = createLogger(config.logLevel === "info" ? "warn" : config.logLevel);
const database = openDatabase(config.database);
let code = 0;
try {
  await database.migrate();
  const secrets = new SecretBox(encryptionKeyFor({ encryptionKey: config.encryptionKey, database: database.config }));
  const connection = connectPartnerCenter(config, database.db, { secrets, logger, providerTenantId: async () => config.providerTenantId });
  const tokens = connection.tokens!;
  try {
    if (command === "status") {
      console.log(`Partner Center: ${config.partnerCenter.apiUrl}, app ${config.partnerCenter.appId}, tenant ${config.providerTenantId}`);
      await tokens.appToken();
      console.log("App-only sign-in: OK");
      const user = await tokens.connectedUser();
      console.log(user ? `App+User: ${user.userName}${user.mfa ? " (with MFA)" : " (WITHOUT MFA: Partner Center will refuse it; connect again)"}` : "App+User: nobody connected (run: npm run partner-center -- connect)");
    } else if (command === "connect") {
      const user = await tokens.connect((prompt) => console.log(prompt.message));
      console.log(`Connected: ${user.userName}${user.mfa ? "" : " (the sign-in did not use MFA: Partner Center will refuse it; connect again with MFA)"}`);
    } else if (command === "disconnect") {
      await tokens.disconnect();
      console.log("The connected Partner Center user is forgotten.");
    } else if (command === "register-webhooks") {
      if (!argument || !argument.startsWith("https://")) throw new Error("give the bot's public https address, e.g. npm run partner-center -- register-webhooks https://bot.contoso.com");
      const registered = await (connection.pc as RestPartnerCenter).registerWebhooks(`${argument.replace(/\/+$/, "")}/api/partner-center/events`, ["subscription-updated", "subscription-renewed", "subscription-created", "order-updated"]);
      console.log(`Registered: ${registered.url} for ${registered.events.join(", ")}`);
    } else {
      throw new Error(`unknown command "${command}": status, connect, disconnect, register-webhooks <url>`);
    }
  } finally {
    await connection.close();
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  code = 1;
} finally {
  await database.close();
}
process.exit(code);
