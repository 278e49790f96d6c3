// `citypulse modbus ...`: commissioning a Modbus TCP device by hand.
//
//   modbus read   --target HOST[:PORT] --table holding|input|coil|discrete
//                 --register R [--count N] [--type T] [--word-order big|little]
//                 [--byte-order big|little] [--scale S] [--offset O]
//                 [--unit U] [--timeout-ms MS] [--retries N]
//   modbus write  --target HOST[:PORT] --table holding|coil --register R
//                 --value V [--type T ...the same formatting options]
//   modbus plant  [--host 127.0.0.1] [--port 5020] [--time-scale X]
//                 [--reply-delay-ms MS]    the simulated AHU (sim/modbus_plant.h)
//
// read prints one line per value: table, address, the raw registers in hex
// as they came, and the decoded value ("input 4  0x41AC 0x0000  21.5"); a
// coil or discrete input prints its address and 0 or 1. --count counts
// values, so four float32 read eight registers. write prints what it sent.
// plant prints "modbus plant listening on HOST:PORT" and serves until
// SIGINT or SIGTERM.
//
// Exit codes as main's: 0 success, 1 the device or the network failed
// (refused, timed out, a Modbus exception), 2 bad arguments. Errors go to
// stderr as one line naming the request and the device.
#pragma once

#include <CLI/CLI.hpp>

namespace citypulse {

// Adds the `modbus` subcommand and its three; each runs from its CLI11
// callback and ends the process with its exit code.
void add_modbus_commands(CLI::App& app);

}  // namespace citypulse
