import { defineConfig } from "vite";

// The built files are embedded in the lodestone binary (crates/server/build.rs)
// and served at /; nothing is fetched from the network at run time.
export default defineConfig({
  base: "/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    sourcemap: false,
  },
  test: {
    include: ["src/**/*.test.ts"],
  },
} as any);
