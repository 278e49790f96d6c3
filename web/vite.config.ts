// The web UI's build: `npm run build` writes dist/, which the server serves
// (http.web_root). `npm run dev` serves the sources with the API proxied to a
// server on :8080 (`make run`).
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", sourcemap: false, target: "es2022" },
  server: {
    proxy: {
      "/api": { target: "http://127.0.0.1:8080", ws: true },
    },
  },
});
