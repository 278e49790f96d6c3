// The map with tiles configured (web.map_tiles): a tile server on loopback
// stands in for a real one; the map asks it for tiles around the town and
// shows its attribution, under the buildings' outlines and markers.
import { createServer } from "node:http";

import { scenario } from "./harness.mjs";

// A 1×1 grey PNG: what a tile looks like matters not, only that it is asked for.
const TILE = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNoAAAAggCBd81ytgAAAABJRU5ErkJggg==", "base64");
const asked = [];
const tiles = createServer((req, res) => {
  asked.push(req.url);
  res.writeHead(200, { "Content-Type": "image/png", "Access-Control-Allow-Origin": "*" });
  res.end(TILE);
});
await new Promise((ok) => tiles.listen(0, "127.0.0.1", ok));
const tileBase = `http://127.0.0.1:${tiles.address().port}`;

try {
  await scenario("map", async ({ signIn, waitFor, screenshot }) => {
    const page = await signIn("viewer@hechingen.demo");
    await waitFor("the outlines", async () => (await page.locator(".map path.outline").count()) === 7, 30_000);
    await waitFor("tiles", async () => asked.length > 0 && (await page.locator(".map img.leaflet-tile").count()) > 0, 30_000);
    // Zoom 12 and more around Hechingen (48.35 N, 8.96 E): x and y as the
    // slippy-map scheme computes them.
    const [z, x, y] = asked[0].slice(1, -4).split("/").map(Number);
    const n = 2 ** z;
    const expectX = Math.floor(((8.96 + 180) / 360) * n);
    const lat = (48.35 * Math.PI) / 180;
    const expectY = Math.floor(((1 - Math.log(Math.tan(lat) + 1 / Math.cos(lat)) / Math.PI) / 2) * n);
    if (z < 12 || Math.abs(x - expectX) > 2 || Math.abs(y - expectY) > 2)
      throw new Error(`the first tile asked for is ${asked[0]}, not near the town (${z}/${expectX}/${expectY})`);
    await page.getByText("Tiles: E2E test server").waitFor();
    await screenshot(page, "map-tiles-desktop.png");
  }, {
    env: {
      CITYPULSE_WEB_MAP_TILES: `${tileBase}/{z}/{x}/{y}.png`,
      CITYPULSE_WEB_MAP_ATTRIBUTION: "Tiles: E2E test server",
    },
  });
} finally {
  tiles.close();
}
