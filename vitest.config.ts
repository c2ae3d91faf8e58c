import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    // A throwaway certificate authority for the HTTPS stand-ins (Entra, Partner Center), trusted through NODE_EXTRA_CA_CERTS.
    globalSetup: ["./test/globalSetup.ts"],
    // Memory assertions (the fuzz test) measure after a garbage collection.
    execArgv: ["--expose-gc"],
    testTimeout: 30_000,
    // Tests run in a random order within each file (the seed is printed): none may rely on another.
    sequence: { shuffle: { files: false, tests: true } },
    hookTimeout: 60_000,
  },
});
