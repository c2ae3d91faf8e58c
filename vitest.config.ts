import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    // Memory assertions (the fuzz test) measure after a garbage collection.
    execArgv: ["--expose-gc"],
    testTimeout: 30_000,
    // Tests run in a random order within each file (the seed is printed): none may rely on another.
    sequence: { shuffle: { files: false, tests: true } },
    hookTimeout: 60_000,
  },
});
