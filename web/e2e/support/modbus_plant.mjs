// A test peer only: the simulated air handling unit of src/sim/modbus_plant.h,
// served over Modbus TCP by the binary under test itself (`citypulse modbus
// plant`) on 127.0.0.1 at a free port. Its registers hold known values: the
// supply air setpoint 20.0 °C (holding 0, int16 × 0.1), the mode 1 (holding
// 1), the fan speed setpoint 60 % (holding 2), the enable coil on (coil 0);
// the supply air temperature (input 0, int16 × 0.1) moves.
import { spawn } from "node:child_process";

// Starts the plant; resolves to { port, close() } once it listens.
// replyDelayMs: every answer waits that long first, as a slow device does.
export function startModbusPlant(binary, { replyDelayMs = 0 } = {}) {
  const args = ["modbus", "plant", "--host", "127.0.0.1", "--port", "0"];
  if (replyDelayMs > 0) args.push("--reply-delay-ms", String(replyDelayMs));
  const plant = spawn(binary, args, {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => {
      plant.kill("SIGTERM");
      fail(new Error(`the Modbus plant did not start within 30 s:\n${output}`));
    }, 30_000);
    const listen = (chunk) => {
      output += chunk;
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(output);
      if (!m) return;
      clearTimeout(timer);
      ok({
        port: Number(m[1]),
        close: () =>
          new Promise((done) => {
            if (plant.exitCode !== null) return done();
            plant.once("exit", done);
            plant.kill("SIGTERM");
          }),
      });
    };
    plant.stdout.on("data", listen);
    plant.stderr.on("data", (d) => (output += d));
    plant.once("exit", (code) => {
      clearTimeout(timer);
      fail(new Error(`the Modbus plant ended (${code}):\n${output}`));
    });
  });
}
