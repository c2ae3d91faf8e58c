/** `npm start` from the plain compiled build (dist/bot/index.js); see main.ts. */
import { main } from "./main.js";

await main();
